import { AftercareSiteMonthComputed } from '@iop/contracts';
import { eventually, tokenFor } from '@iop/testing';
import { aDischarge, aSite, admit, api, discharge, followUpsOf, startFollowUps, type FollowUpKit, type Site } from './follow-up-test-kit';

describe("a site's monthly measures after discharge (real Postgres, Redis and broker)", () => {
  let kit: FollowUpKit;
  let site: Site;

  beforeAll(async () => {
    kit = await startFollowUps();
    site = await aSite(kit, 'America/Chicago');
  });
  afterAll(() => kit?.close());

  /** A discharge in March 2026, and the follow-up contact that reached the patient (at noon, site time), if any. */
  async function episode(
    dischargedOn: string,
    type: 'completed' | 'against-clinical-advice' | 'administrative' | 'step-up',
    reachedOn?: { offset: number; on: string },
  ) {
    const d = await discharge(
      kit,
      aDischarge(site, {
        dischargedOn,
        type,
        ...(type === 'step-up' ? { stepUp: { destination: 'residential' as const }, reasonCode: 'needs-higher-level' } : {}),
      }),
    );
    const followUps = await followUpsOf(kit, d.episodeId);
    if (reachedOn) {
      const followUp = followUps.find((f) => f.day_offset === reachedOn.offset)!;
      await api(kit, site.staff)
        .post(`/follow-ups/${followUp.follow_up_id}/attempts`, { method: 'phone', outcome: 'reached', at: `${reachedOn.on}T18:00:00Z` })
        .expect(201);
    }
    return d;
  }

  it('computes the 7- and 30-day follow-up measures on a known set of episodes as worked by hand', async () => {
    const siteMonths = await kit.eventsOf(AftercareSiteMonthComputed);
    // Days after the discharge date of the contact that reached the patient, worked by hand:
    await episode('2026-03-02', 'completed', { offset: 7, on: '2026-03-06' }); // +4: within 7 and 30
    await episode('2026-03-05', 'completed', { offset: 7, on: '2026-03-12' }); // +7: within 7 and 30
    const c = await episode('2026-03-10', 'against-clinical-advice', { offset: 7, on: '2026-03-18' }); // +8: within 30 only
    await episode('2026-03-15', 'completed', { offset: 30, on: '2026-04-14' }); // +30: within 30 only
    const e = await episode('2026-03-20', 'administrative'); // never reached
    await episode('2026-03-25', 'step-up', { offset: 7, on: '2026-03-26' }); // care continues in residential: not eligible
    await episode('2026-03-31', 'completed', { offset: 30, on: '2026-05-01' }); // +31: neither
    await episode('2026-04-01', 'completed', { offset: 7, on: '2026-04-02' }); // April's: not in March
    // Readmissions: c 22 days after its discharge, e 61 days after.
    await admit(kit, site, c.patientId, '2026-04-01T18:00:00Z');
    await admit(kit, site, e.patientId, '2026-05-20T18:00:00Z');

    const expected = {
      siteId: site.siteId,
      month: '2026-03',
      discharges: 7,
      eligible: 6,
      followUp7: 2,
      followUp7Rate: 0.3333, // 2 / 6
      followUp30: 4,
      followUp30Rate: 0.6667, // 4 / 6
      completed: 4,
      completionRate: 0.5714, // 4 / 7
      againstAdvice: 1,
      againstAdviceRate: 0.1429, // 1 / 7
      readmitted30: 1,
      readmission30Rate: 0.1667, // 1 / 6
      readmitted90: 2,
      readmission90Rate: 0.3333, // 2 / 6
    };
    await eventually(async () => {
      const res = await api(kit, site.staff).get(`/sites/${site.siteId}/measures?month=2026-03`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expected);
    });

    // The analysts' aggregate for the same month: seven discharges is a small cell, so every figure is withheld.
    await eventually(() => {
      const latest = siteMonths.filter((m) => m.siteId === site.siteId && m.month === '2026-03').sort((a, b) => b.revision - a.revision)[0];
      expect(latest).toBeDefined();
      expect(latest!.revision).toBeGreaterThanOrEqual(7 + 6 + 2);
      expect(latest!.discharges).toEqual({ value: null, suppressed: true });
      expect(latest!.followUp7Rate).toEqual({ value: null, suppressed: true });
    });
    const april = await api(kit, site.staff).get(`/sites/${site.siteId}/measures?month=2026-04`);
    expect(april.body).toMatchObject({ discharges: 1, followUp7: 1, followUp7Rate: 1 });
  });

  it('links a readmission that was heard of before the discharge it follows', async () => {
    const d = aDischarge(site, { dischargedOn: '2026-07-01' });
    const admitted = await admit(kit, site, d.patientId, '2026-07-10T18:00:00Z');
    await eventually(async () =>
      expect(await kit.infra.adminQuery(`SELECT 1 FROM aftercare.readmission_admissions WHERE episode_id = $1`, [admitted])).toHaveLength(1),
    );
    await discharge(kit, d);
    await followUpsOf(kit, d.episodeId);
    const [row] = await kit.infra.adminQuery<{ readmission_episode_id: string; readmitted_on: string }>(
      `SELECT readmission_episode_id, readmitted_on::text AS readmitted_on FROM aftercare.follow_up_discharges WHERE episode_id = $1`,
      [d.episodeId],
    );
    expect(row).toEqual({ readmission_episode_id: admitted, readmitted_on: '2026-07-10' });
    const july = await api(kit, site.staff).get(`/sites/${site.siteId}/measures?month=2026-07`);
    expect(july.body).toMatchObject({ discharges: 1, readmitted30: 1, readmission30Rate: 1 });
  });

  it('refuses a bad month (400), another site (403) and an unknown site (404)', async () => {
    expect((await api(kit, site.staff).get(`/sites/${site.siteId}/measures?month=2026-13`)).status).toBe(400);
    expect((await api(kit, site.staff).get(`/sites/${site.siteId}/measures`)).status).toBe(400);
    const elsewhere = await tokenFor('clinician', [crypto.randomUUID()]);
    expect((await api(kit, elsewhere).get(`/sites/${site.siteId}/measures?month=2026-03`)).status).toBe(403);
    const admin = await tokenFor('network_admin');
    expect((await api(kit, admin).get(`/sites/${crypto.randomUUID()}/measures?month=2026-03`)).status).toBe(404);
  });
});
