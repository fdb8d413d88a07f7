import { PatientAdmitted, PatientDischarged, type PayloadOf } from '@iop/contracts';
import { eventually, publishEvent } from '@iop/testing';
import { FollowUpSweep } from '../src/application/follow-up.use-cases';
import { aSite as aBaseSite, api, startAftercare, type AftercareKit, type Site as BaseSite } from './aftercare-test-kit';

/* The follow-up side's helpers, on the aftercare kit: discharges as the discharge module publishes them, admissions, rows. */

export interface FollowUpKit extends AftercareKit {
  /** The follow-up clock, run by hand at a chosen instant (its own timer is set to an hour so it never interferes). */
  readonly sweep: FollowUpSweep;
}

/** The aftercare kit, with the follow-up sweep in the test's hands. */
export async function startFollowUps(): Promise<FollowUpKit> {
  const kit = await startAftercare({ FOLLOW_UP_SWEEP_INTERVAL_MS: String(60 * 60 * 1000) });
  return { ...kit, sweep: kit.app.get(FollowUpSweep) };
}

export { api };

export interface Site extends BaseSite {
  /** A clinician of this site (the same token as `clinician`). */
  readonly staff: string;
}

/** A site as scheduling registers it (Pacific time unless said); resolves once aftercare's site directory has it. */
export async function aSite(kit: FollowUpKit, timeZone = 'America/Los_Angeles'): Promise<Site> {
  const site = await aBaseSite(kit, timeZone);
  return { ...site, staff: site.clinician };
}

export type Discharge = PayloadOf<typeof PatientDischarged>;

/** A signed discharge as the discharge module publishes it (not waited for). */
export function aDischarge(site: Site, overrides: Partial<Discharge> = {}): Discharge {
  return {
    dischargeId: crypto.randomUUID(),
    episodeId: crypto.randomUUID(),
    patientId: crypto.randomUUID(),
    siteId: site.siteId,
    type: 'completed',
    reasonCode: 'goals-met',
    admittedOn: '2026-01-05',
    dischargedOn: '2026-03-02',
    stepDown: null,
    stepUp: null,
    transferToSiteId: null,
    signedAt: new Date().toISOString(),
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

export async function discharge(kit: FollowUpKit, payload: Discharge): Promise<Discharge> {
  await publishEvent(kit.producer, PatientDischarged, payload);
  return payload;
}

export interface FollowUpRow {
  follow_up_id: string;
  day_offset: number;
  due_on: string;
  due_at: Date;
  overdue_at: Date;
  state: string;
}

/** The episode's follow-ups as stored, once `count` of them are there. */
export async function followUpsOf(kit: FollowUpKit, episodeId: string, count = 3): Promise<FollowUpRow[]> {
  return eventually(async () => {
    const rows = await kit.infra.adminQuery<FollowUpRow>(
      `SELECT follow_up_id, day_offset, due_on::text AS due_on, due_at, overdue_at, state FROM aftercare.follow_ups WHERE episode_id = $1 ORDER BY day_offset`,
      [episodeId],
    );
    expect(rows).toHaveLength(count);
    return rows;
  });
}

/** intake.patient-admitted for a patient, on a site-local day (noon there). */
export async function admit(kit: FollowUpKit, site: Site, patientId: string, admittedAt: string, extra: Record<string, unknown> = {}): Promise<string> {
  const episodeId = crypto.randomUUID();
  await publishEvent(kit.producer, PatientAdmitted, {
    episodeId,
    patientId,
    referralId: crypto.randomUUID(),
    siteId: site.siteId,
    programType: 'substance-use',
    levelOfCare: '2.1',
    plannedWeeklyHours: 9,
    plannedStart: admittedAt.slice(0, 10),
    occurredAt: admittedAt,
    ...extra,
  } as PayloadOf<typeof PatientAdmitted>);
  return episodeId;
}

/** Counts rows of an aftercare table as the administrator (bypassing row-level security). */
export async function countRows(kit: FollowUpKit, table: string, where = 'TRUE', params: unknown[] = []): Promise<number> {
  const [row] = await kit.infra.adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM aftercare.${table} WHERE ${where}`, params);
  return row!.n;
}
