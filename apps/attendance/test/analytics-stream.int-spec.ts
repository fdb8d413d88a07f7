import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { DuckDBInstance } from '@duckdb/node-api';
import { DataSource } from 'typeorm';
import { SiteWeekComputed, TOPICS } from '@iop/contracts';
import { ALL_SITES, inScopedTransaction } from '@iop/persistence';
import request from 'supertest';
import {
  EventReaders,
  eventually,
  quietLogger,
  scanKafkaForPhi,
  startService,
  tokenFor,
  uniqueName,
  useTestInfrastructure,
  type TestInfrastructure,
} from '@iop/testing';
import { AttendanceModule } from '../src/attendance.module';
import { Outbox, createKafka } from '@iop/messaging';
import { SiteWeeksJob } from '../src/application/site-weeks.job';
import { writeRecord, type Change } from '../src/application/record-attendance';
import { loadSeat } from '../src/application/seats';
import type { AbsenceStatus } from '../src/domain/attendance-record';
import type { Interval } from '../src/domain/attendance-rules';

/*
 * The analysts' stream end to end on real Postgres and Kafka: attendance records written through attendance's one write
 * path (writeRecord: the record, its version, attendance-recorded/-corrected and the analytics events in one transaction;
 * the HTTP endpoints in front of it are the recording tests' business), attendance's relay,
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
  const records: Record<string, Recorded> = {};
  const outbox = new Outbox('attendance');

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    // Site-weeks are published by the site-weeks job: every 200 ms here rather than every 5 s.
    process.env['ATTENDANCE_SITE_WEEK_INTERVAL_MS'] = '200';
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
    for (const p of [ada, bo]) await enrol(p, site, program, [monday, tuesday]);
  });

  async function enrol(p: typeof ada, siteId: string, programId: string, sessionIds: readonly string[]): Promise<void> {
    await infra.adminQuery(
      `INSERT INTO attendance.enrolments (enrolment_id, patient_id, episode_id, site_id, program_id, status, weekly_minimum_minutes)
       VALUES ($1, $2, $3, $4, $5, 'active', 540)`,
      [p.enrolmentId, p.patientId, p.episodeId, siteId, programId],
    );
    for (const sessionId of sessionIds) {
      await infra.adminQuery(
        `INSERT INTO attendance.seats (session_id, patient_id, site_id, enrolment_id, episode_id, state) VALUES ($1, $2, $3, $4, $5, 'booked')`,
        [sessionId, p.patientId, siteId, p.enrolmentId, p.episodeId],
      );
    }
  }

  afterAll(async () => {
    await attendance?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  type Recorded = Awaited<ReturnType<typeof writeRecord>>;

  /** Records through attendance's one write path (the record, its version, attendance-recorded/-corrected and the analytics events). */
  async function record(
    patient: typeof ada,
    sessionId: string,
    how: { change: Change; intervals?: Interval[]; absence?: AbsenceStatus; checkOut?: boolean; reason?: string },
    before?: () => Promise<void>,
  ): Promise<Recorded> {
    return inScopedTransaction(dataSource, ALL_SITES, async (manager) => {
      const seat = await loadSeat(manager, sessionId, patient.patientId);
      const intervals = how.intervals ?? [];
      return writeRecord(manager, outbox, {
        seat,
        intervals,
        ...(how.absence ? { absence: how.absence } : {}),
        checkInAt: intervals[0]?.from ?? null,
        checkOutAt: how.checkOut ? (intervals[intervals.length - 1]?.to ?? null) : null,
        source: how.change === 'correction' ? 'correction' : how.change === 'group' ? 'group' : 'staff',
        change: how.change,
        actor: 'tester',
        ...(how.reason ? { reason: how.reason } : {}),
        correlationId: randomUUID(),
      }).then(async (recorded) => {
        // Whatever the caller does before this transaction commits.
        await before?.();
        return recorded;
      });
    });
  }

  async function sessionTimes(sessionId: string): Promise<{ start: Date; end: Date }> {
    const [row] = await infra.adminQuery<{ starts_at: Date; ends_at: Date }>(`SELECT starts_at, ends_at FROM attendance.sessions WHERE session_id = $1`, [
      sessionId,
    ]);
    return { start: row!.starts_at, end: row!.ends_at };
  }

  /** Every site-week marked has been published by the site-weeks job, and the outbox is empty. */
  async function outboxDrained(): Promise<void> {
    await eventually(
      async () => {
        const [row] = await infra.adminQuery<{ pending: number; marked: number }>(
          `SELECT (SELECT count(*)::int FROM attendance.outbox WHERE published_at IS NULL) AS pending,
                  (SELECT count(*)::int FROM attendance.site_weeks_dirty) AS marked`,
        );
        expect(row).toEqual({ pending: 0, marked: 0 });
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
    const mon = await sessionTimes(monday);
    const tue = await sessionTimes(tuesday);
    const minutes = (ms: number) => new Date(ms);
    // Ada: checked in and out on Monday; on Tuesday the group leader marked her 10 minutes late, then a correction says she left an hour early.
    await record(ada, monday, { change: 'check-in', intervals: [{ from: mon.start, to: null }] });
    records['adaMonday'] = await record(ada, monday, { change: 'check-out', intervals: [{ from: mon.start, to: mon.end }], checkOut: true });
    const late = minutes(tue.start.getTime() + 10 * 60_000);
    records['adaTuesday'] = await record(ada, tuesday, { change: 'group', intervals: [{ from: late, to: tue.end }], checkOut: true });
    records['adaTuesday'] = await record(ada, tuesday, {
      change: 'correction',
      intervals: [{ from: late, to: minutes(tue.end.getTime() - 60 * 60_000) }],
      checkOut: true,
      reason: `${ADA.name} (DOB ${ADA.birthDate}, member ${ADA.memberId}) left for a family emergency`,
    });
    // Bo: a no-show on Monday; the clinic cancelled Tuesday for him.
    records['boMonday'] = await record(bo, monday, { change: 'group', absence: 'no-show' });
    records['boTuesday'] = await record(bo, tuesday, { change: 'group', absence: 'cancelled-by-clinic' });
    expect(records['adaTuesday']).toMatchObject({ revision: 2, attendedMinutes: 110, earlyMinutes: 60 });
    await outboxDrained();

    const file = join(work, 'first.duckdb');
    await land(file);
    expect(await query(file, `SELECT count(*) AS n FROM facts WHERE site_id = '${site}'`)).toEqual([{ n: 4n }]);
    const landed = await query(
      file,
      `SELECT service_date::VARCHAR AS day, revision, attended_minutes, late_minutes, early_minutes FROM facts
        WHERE site_id = '${site}' AND patient_key = (SELECT patient_key FROM facts WHERE site_id = '${site}' AND status = 'attended') ORDER BY day`,
    );
    expect(landed).toEqual([
      // The check-out completed Monday's record: a second change, so revision 2, with the minutes of the whole session.
      { day: '2026-03-09', revision: 2, attended_minutes: 180, late_minutes: 0, early_minutes: 0 },
      // Recorded once, corrected once: revision 2, the corrected minutes only.
      { day: '2026-03-10', revision: 2, attended_minutes: 110, late_minutes: 10, early_minutes: 60 },
    ]);

    // Ada's week: one billable day (180 minutes), 290 minutes against a plan minimum of 540; Bo's: nothing attended.
    const weeks = await query(
      file,
      `SELECT attended_minutes, billable_days, plan_minimum_met, sessions FROM patient_weeks WHERE site_id = '${site}' ORDER BY attended_minutes DESC`,
    );
    expect(weeks).toEqual([
      { attended_minutes: 290, billable_days: 1, plan_minimum_met: false, sessions: 2 },
      { attended_minutes: 0, billable_days: 0, plan_minimum_met: false, sessions: 2 },
    ]);
    // Two patients in the site's week: every figure of the de-identified aggregate is suppressed.
    expect(await query(file, `SELECT census, attendance_rate FROM site_weeks WHERE site_id = '${site}'`)).toEqual([{ census: null, attendance_rate: null }]);
  }, 120_000);

  it("prints the attendance rate and hours that were recorded for the site's week", async () => {
    const figures = await land(join(work, 'figures.duckdb'));
    // What was recorded, clinic cancellations left out of what was scheduled.
    const counted = Object.values(records).filter((r) => r.status !== 'cancelled-by-clinic');
    const present = counted.filter((r) => ['attended', 'late', 'left-early'].includes(r.status));
    const hours = present.reduce((sum, r) => sum + r.attendedMinutes, 0) / 60;
    expect(figures).toEqual([
      {
        siteId: site,
        isoWeek: '2026-W11',
        patients: 2,
        sessions: counted.length,
        attended: present.length,
        attendanceRate: Math.round((present.length / counted.length) * 10000) / 10000,
        hours: Math.round(hours * 100) / 100,
        hoursPerPatient: Math.round((hours / 2) * 100) / 100,
      },
    ]);
    expect(figures[0]).toMatchObject({ sessions: 3, attended: 2, hours: 4.83 });
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
    const ids = [ada.patientId, bo.patientId, ada.enrolmentId, ada.episodeId, bo.episodeId, monday, tuesday, ...Object.values(records).map((r) => r.recordId)];
    const { hits, messages } = await scanKafkaForPhi(infra.kafkaBrokers, [...phi, ...ids], { topics: ANALYTICS_TOPICS });
    expect(messages).toBeGreaterThanOrEqual(15);
    expect(hits).toEqual([]);
  }, 120_000);

  it("publishes a site's week from every record of a burst of check-ins, in order, including one that commits while the week is being published", async () => {
    const busySite = randomUUID();
    const busyProgram = randomUUID();
    const wednesday = randomUUID();
    await infra.adminQuery(
      `INSERT INTO attendance.programs (program_id, site_id, kind, population, level_of_care, min_weekly_minutes, per_diem_minimum_minutes, revision)
       VALUES ($1, $2, 'substance-use', 'adult', '2.1', 540, 180, 1)`,
      [busyProgram, busySite],
    );
    await infra.adminQuery(
      `INSERT INTO attendance.sessions (session_id, site_id, source, kind, program_id, starts_at, ends_at, local_date, delivery, capacity, kiosk_code)
       VALUES ($1, $2, 'group-session', 'group', $3, '2026-03-12T00:00:00Z', '2026-03-12T03:00:00Z', '2026-03-11', 'in-person', 12, 'W3D5')`,
      [wednesday, busySite, busyProgram],
    );
    const patients = Array.from({ length: 7 }, () => ({ patientId: randomUUID(), enrolmentId: randomUUID(), episodeId: randomUUID() }));
    for (const p of patients) await enrol(p, busySite, busyProgram, [wednesday]);
    const readers = new EventReaders(createKafka(uniqueName('site-week-reader'), quietLogger(), infra.kafkaBrokers));
    try {
      const siteWeeks = await readers.eventsOf(SiteWeekComputed);
      const { start } = await sessionTimes(wednesday);
      const checkIn = { change: 'check-in' as const, intervals: [{ from: start, to: null }] };
      // Six check-ins at once: none waits for another to publish the site's week.
      await Promise.all(patients.slice(0, 6).map((p) => record(p, wednesday, checkIn)));
      // A pass of the job runs to its end while the seventh's transaction is still open: it neither waits for it nor loses its mark.
      const job = attendance.get(SiteWeeksJob);
      await record(patients[6]!, wednesday, checkIn, async () => {
        await job.refresh();
      });

      await eventually(
        async () => {
          expect(await infra.adminQuery(`SELECT 1 FROM attendance.site_weeks_dirty WHERE site_id = $1`, [busySite])).toEqual([]);
          const published = siteWeeks.filter((w) => w.siteId === busySite);
          // One change per record: the last week published counts all seven, and no week is published after a newer one.
          expect(published.at(-1)).toMatchObject({ isoWeek: '2026-W11', revision: 7 });
          const revisions = published.map((w) => w.revision);
          expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
        },
        { timeoutMs: 30_000 },
      );
    } finally {
      await readers.close();
    }
  }, 120_000);
  it("serves a site's weeks to analysts as the stream publishes them: a week of 12 patients shows its rates, a week of 2 shows nothing, another site's analyst is refused", async () => {
    const week = async (patientCount: number, noShows: number) => {
      const siteId = randomUUID();
      const programId = randomUUID();
      const sessionId = randomUUID();
      await infra.adminQuery(
        `INSERT INTO attendance.site_directory (site_id, name, time_zone, capacity, revision, updated_at) VALUES ($1, $2, 'UTC', 40, 1, now())`,
        [siteId, uniqueName('Analysed clinic')],
      );
      await infra.adminQuery(
        `INSERT INTO attendance.programs (program_id, site_id, kind, population, level_of_care, min_weekly_minutes, per_diem_minimum_minutes, revision)
         VALUES ($1, $2, 'substance-use', 'adult', '2.1', 540, 180, 1)`,
        [programId, siteId],
      );
      await infra.adminQuery(
        `INSERT INTO attendance.sessions (session_id, site_id, source, kind, program_id, starts_at, ends_at, local_date, delivery, capacity, kiosk_code)
         VALUES ($1, $2, 'group-session', 'group', $3, '2026-03-11T17:00:00Z', '2026-03-11T20:00:00Z', '2026-03-11', 'in-person', 20, 'A1B2')`,
        [sessionId, siteId, programId],
      );
      const patients = Array.from({ length: patientCount }, () => ({ patientId: randomUUID(), enrolmentId: randomUUID(), episodeId: randomUUID() }));
      for (const p of patients) await enrol(p, siteId, programId, [sessionId]);
      const { start, end } = await sessionTimes(sessionId);
      for (const [i, p] of patients.entries()) {
        if (i < noShows) await record(p, sessionId, { change: 'group', absence: 'no-show' });
        else await record(p, sessionId, { change: 'check-in', intervals: [{ from: start, to: end }], checkOut: true });
      }
      return siteId;
    };
    const busy = await week(12, 1);
    const small = await week(2, 0);
    const read = async (siteId: string, token: string) =>
      request(attendance.getHttpServer()).get(`/sites/${siteId}/site-weeks?from=2026-03-02&to=2026-03-16`).set('authorization', `Bearer ${token}`);

    const busyWeeks = await read(busy, await tokenFor('analyst', [busy]));
    expect(busyWeeks.status).toBe(200);
    expect(busyWeeks.body.weeks).toEqual([
      expect.objectContaining({
        isoWeek: '2026-W11',
        census: { value: 12, suppressed: false },
        sessionsAttended: { value: 11, suppressed: false },
        // One no-show is a count from 1 to 10: it and its rate are withheld.
        noShows: { value: null, suppressed: true },
        noShowRate: { value: null, suppressed: true },
        attendanceRate: { value: 0.9167, suppressed: false },
        hoursPerPatient: { value: 2.75, suppressed: false },
      }),
    ]);
    const smallWeeks = await read(small, await tokenFor('analyst', [small]));
    expect(smallWeeks.body.weeks).toHaveLength(1);
    const { siteId: _s, isoWeek: _w, weekStart: _m, revision: _r, occurredAt: _o, ...figures } = smallWeeks.body.weeks[0];
    expect(Object.values(figures)).toEqual(Array(7).fill({ value: null, suppressed: true }));

    expect((await read(busy, await tokenFor('analyst', [small]))).status).toBe(403);
    expect((await read(busy, await tokenFor('clinician', [busy]))).status).toBe(403);
  });
});
