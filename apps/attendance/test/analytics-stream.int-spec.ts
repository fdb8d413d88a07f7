import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { DuckDBInstance } from '@duckdb/node-api';
import { DataSource, type EntityManager } from 'typeorm';
import { TOPICS } from '@iop/contracts';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import { eventually, scanKafkaForPhi, startService, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { AttendanceModule } from '../src/attendance.module';
import { publishAnalyticsForRecord } from '../src/application/analytics-stream';

/*
 * The analysts' stream end to end on real Postgres and Kafka: attendance records (written here as attendance's recording
 * writes them: the record row, a version row, then the analytics events in the same transaction), attendance's relay,
 * the topics, and the reference landing consumer (npm run analytics:land) and backfill (npm run analytics:backfill) run
 * as the processes an analyst or operator would run.
 */

const ROOT = resolve(__dirname, '../../..');
const run = promisify(execFile);
const ANALYTICS_TOPICS = [TOPICS.analyticsAttendance.name, TOPICS.analyticsAttendanceWeekly.name, TOPICS.analyticsSiteWeek.name];

// What the clinic knows about the patients and must never reach the analysts.
const ADA = { name: 'Adelheid Quennell-Marsh', birthDate: '1984-07-19', memberId: 'ACTIVE5550192' };
const BO = { name: 'Bogdan Ferreira-Lindqvist', birthDate: '1979-11-02', memberId: 'ACTIVE5550817' };

describe("the analysts' attendance stream", () => {
  let infra: TestInfrastructure;
  let attendance: INestApplication;
  let dataSource: DataSource;
  let work: string;
  const site = randomUUID();
  const program = randomUUID();
  const ada = { patientId: randomUUID(), enrolmentId: randomUUID(), episodeId: randomUUID() };
  const bo = { patientId: randomUUID(), enrolmentId: randomUUID(), episodeId: randomUUID() };
  const monday = randomUUID();
  const tuesday = randomUUID();
  const records: Record<string, string> = {};

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    attendance = await startService(AttendanceModule, 'attendance');
    dataSource = attendance.get(DataSource);
    work = mkdtempSync(join(tmpdir(), 'analytics-land-'));
    await infra.adminQuery(
      `INSERT INTO attendance.programs (program_id, site_id, kind, population, level_of_care, min_weekly_minutes, per_diem_minimum_minutes, revision)
       VALUES ($1, $2, 'substance-use', 'adult', '2.1', 540, 180, 1)`,
      [program, site],
    );
    for (const [sessionId, day] of [
      [monday, '2026-03-09'],
      [tuesday, '2026-03-10'],
    ] as const) {
      // Free text staff typed about the group: the kind of thing that must never reach analysts.
      await infra.adminQuery(
        `INSERT INTO attendance.sessions (session_id, site_id, source, kind, program_id, starts_at, ends_at, local_date, delivery, modality, capacity, kiosk_code)
         VALUES ($1, $2, 'group-session', 'group', $3, $4::date + time '17:00' AT TIME ZONE 'America/Los_Angeles',
                 $4::date + time '20:00' AT TIME ZONE 'America/Los_Angeles', $4, 'in-person', $5, 12, 'K7Q2')`,
        [sessionId, site, program, day, `relapse prevention (${ADA.name} presenting)`],
      );
    }
    for (const p of [ada, bo]) {
      await infra.adminQuery(
        `INSERT INTO attendance.enrolments (enrolment_id, patient_id, episode_id, site_id, program_id, status, weekly_minimum_minutes)
         VALUES ($1, $2, $3, $4, $5, 'active', 540)`,
        [p.enrolmentId, p.patientId, p.episodeId, site, program],
      );
    }
  });

  afterAll(async () => {
    await attendance?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Records attendance as the recording path does: the record, its first version, and the analytics events, in one transaction. */
  async function record(
    patient: typeof ada,
    sessionId: string,
    serviceDate: string,
    status: string,
    minutes: { attended: number; late?: number; early?: number },
  ): Promise<string> {
    const recordId = randomUUID();
    await inScopedTransaction(dataSource, ALL_SITES, async (manager) => {
      await manager.query(
        `INSERT INTO attendance.attendance_records (record_id, session_id, patient_id, site_id, enrolment_id, episode_id, program_id, service_date, status,
           scheduled_minutes, attended_minutes, late_minutes, early_minutes, revision, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 180, $10, $11, $12, 1, 'staff')`,
        [
          recordId,
          sessionId,
          patient.patientId,
          site,
          patient.enrolmentId,
          patient.episodeId,
          program,
          serviceDate,
          status,
          minutes.attended,
          minutes.late ?? 0,
          minutes.early ?? 0,
        ],
      );
      await addVersion(manager, recordId, null);
      await publishAnalyticsForRecord(manager, recordId, { context: { correlationId: randomUUID() } });
    });
    return recordId;
  }

  async function addVersion(manager: EntityManager, recordId: string, reason: string | null): Promise<void> {
    await manager.query(
      `INSERT INTO attendance.attendance_record_versions (record_id, revision, site_id, status, check_in_at, check_out_at, attended_minutes, late_minutes,
         early_minutes, source, reason, recorded_by)
       SELECT record_id, revision, site_id, status, check_in_at, check_out_at, attended_minutes, late_minutes, early_minutes, source, $2, 'tester'
         FROM attendance.attendance_records WHERE record_id = $1`,
      [recordId, reason],
    );
  }

  /** A correction as attendance makes it: the record moves to revision + 1, the reason is kept in the new version, and the fact is re-published. */
  async function correct(recordId: string, status: string, attended: number, early: number, reason: string): Promise<void> {
    await inScopedTransaction(dataSource, ALL_SITES, async (manager) => {
      await manager.query(
        `UPDATE attendance.attendance_records SET status = $2, attended_minutes = $3, early_minutes = $4, revision = revision + 1, source = 'correction',
           updated_at = now() WHERE record_id = $1`,
        [recordId, status, attended, early],
      );
      await addVersion(manager, recordId, reason);
      await publishAnalyticsForRecord(manager, recordId);
    });
  }

  async function outboxDrained(): Promise<void> {
    await eventually(
      async () => {
        const [row] = await infra.adminQuery<{ pending: number }>(`SELECT count(*)::int AS pending FROM attendance.outbox WHERE published_at IS NULL`);
        expect(row!.pending).toBe(0);
      },
      { timeoutMs: 30_000 },
    );
  }

  /** Runs `npm run analytics:land -- --until-idle --json` as an analyst would, and returns this test's site's figures. */
  async function land(file: string) {
    const { stdout } = await run(
      process.execPath,
      ['-r', '@swc-node/register', 'scripts/analytics-land.ts', '--until-idle', '--json', '--file', file, '--brokers', infra.kafkaBrokers.join(',')],
      { cwd: ROOT, timeout: 90_000 },
    );
    return stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as { siteId: string; isoWeek: string; patients: number; sessions: number; attended: number; attendanceRate: number; hours: number },
      )
      .filter((row) => row.siteId === site);
  }

  async function query(file: string, sql: string) {
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    try {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS();
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  async function backfill(): Promise<string> {
    const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', 'scripts/analytics-backfill.ts', '--page-size', '2'], {
      cwd: ROOT,
      timeout: 90_000,
      env: { ...process.env },
    });
    return stdout;
  }

  it('publishes a corrected record as the same fact with revision 2, and the landing holds one row with the corrected minutes', async () => {
    records['adaMonday'] = await record(ada, monday, '2026-03-09', 'attended', { attended: 180 });
    records['adaTuesday'] = await record(ada, tuesday, '2026-03-10', 'attended', { attended: 170, late: 10 });
    records['boMonday'] = await record(bo, monday, '2026-03-09', 'no-show', { attended: 0 });
    records['boTuesday'] = await record(bo, tuesday, '2026-03-10', 'cancelled-by-clinic', { attended: 0 });
    await correct(records['adaTuesday'], 'left-early', 120, 60, `${ADA.name} (DOB ${ADA.birthDate}, member ${ADA.memberId}) left for a family emergency`);
    await outboxDrained();

    const file = join(work, 'first.duckdb');
    await land(file);
    const facts = await query(
      file,
      `SELECT revision, attended_minutes, early_minutes, status, count(*) OVER () AS n FROM facts WHERE site_id = '${site}' ORDER BY service_date, status`,
    );
    expect(facts).toHaveLength(4);
    const corrected = await query(
      file,
      `SELECT f.revision, f.attended_minutes, f.early_minutes, f.status FROM facts f
        WHERE f.site_id = '${site}' AND f.service_date = DATE '2026-03-10' AND f.status = 'left-early'`,
    );
    expect(corrected).toEqual([{ revision: 2, attended_minutes: 120, early_minutes: 60, status: 'left-early' }]);

    // Ada's week: both days, one billable (180 min), plan minimum of 540 not met.
    const weeks = await query(
      file,
      `SELECT attended_minutes, billable_days, plan_minimum_met, sessions FROM patient_weeks WHERE site_id = '${site}' ORDER BY attended_minutes DESC`,
    );
    expect(weeks).toEqual([
      { attended_minutes: 300, billable_days: 1, plan_minimum_met: false, sessions: 2 },
      { attended_minutes: 0, billable_days: 0, plan_minimum_met: false, sessions: 2 },
    ]);
    // Two patients in the site's week: every figure of the de-identified aggregate is suppressed.
    expect(await query(file, `SELECT census, attendance_rate FROM site_weeks WHERE site_id = '${site}'`)).toEqual([{ census: null, attendance_rate: null }]);
  }, 120_000);

  it("prints the attendance rate and hours that were recorded for the site's week", async () => {
    const figures = await land(join(work, 'figures.duckdb'));
    // Ada: 180 + 120 minutes, both present; Bo: a no-show (counted) and a clinic cancellation (not counted).
    expect(figures).toEqual([
      { siteId: site, isoWeek: '2026-W11', patients: 2, sessions: 3, attended: 2, attendanceRate: 0.6667, hours: 5, hoursPerPatient: 2.5 },
    ]);
  }, 120_000);

  it('leaves the landed figures unchanged when the stream is backfilled twice', async () => {
    const file = join(work, 'backfilled.duckdb');
    const before = await land(file);
    const factsBefore = await query(file, `SELECT * FROM facts WHERE site_id = '${site}' ORDER BY fact_id`);

    const first = await backfill();
    expect(first).toMatch(/analytics:backfill 4\/\d+ records/);
    await outboxDrained();
    await backfill();
    await outboxDrained();

    expect(await land(file)).toEqual(before);
    expect(await query(file, `SELECT * FROM facts WHERE site_id = '${site}' ORDER BY fact_id`)).toEqual(factsBefore);
    // A landing from scratch after the replays holds the same too: one row per fact, the corrected one at revision 2.
    const fresh = join(work, 'fresh.duckdb');
    expect(await land(fresh)).toEqual(before);
    expect(await query(fresh, `SELECT count(*) AS n, max(revision) AS top FROM facts WHERE site_id = '${site}'`)).toEqual([{ n: 4n, top: 2 }]);
  }, 240_000);

  it('puts no names, birth dates, member ids, notes or platform ids in any analytics message', async () => {
    const phi = [ADA.name, ADA.birthDate, ADA.memberId, BO.name, BO.birthDate, BO.memberId, 'family emergency', 'relapse prevention'];
    const ids = [ada.patientId, bo.patientId, ada.enrolmentId, ada.episodeId, bo.episodeId, monday, tuesday, ...Object.values(records)];
    const { hits, messages } = await scanKafkaForPhi(infra.kafkaBrokers, [...phi, ...ids], { topics: ANALYTICS_TOPICS });
    expect(messages).toBeGreaterThanOrEqual(15);
    expect(hits).toEqual([]);
  }, 120_000);
});
