/**
 * The reference consumer of the analysts' stream (docs/analytics/README.md): lands analytics.attendance,
 * analytics.attendance-weekly and analytics.site-week into an embedded DuckDB file and prints attendance rate and hours
 * per site and ISO week.
 *   npm run analytics:land                                   follow the stream; print the figures each time it catches up
 *   npm run analytics:land -- --until-idle                   stop once everything published so far is landed
 *   npm run analytics:land -- --file /tmp/a.duckdb --json    another file; figures as JSON lines
 * Options: --brokers host:port,... (default KAFKA_BROKERS, else the development broker), --group <id> (default a new
 * group per run), --idle-ms <n> (how long the stream must stay quiet to count as drained, default 1500).
 *
 * Every run reads the topics from the beginning with a consumer group of its own and upserts: a fact by factId keeping
 * the highest revision (an equal revision replaces: it is a replay, or the same fact under a rotated pseudonym key), a
 * patient-week by (patientKey, isoWeek) and a site-week by (siteId, isoWeek) keeping the highest revision. So landing
 * the same stream twice, or a stream with a backfill in it, leaves the same rows.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Kafka, logLevel, type EachBatchPayload } from 'kafkajs';
import { AttendanceFactRecorded, AttendanceWeekComputed, dataSchemaUri, SiteWeekComputed, TOPICS, type PayloadOf } from '@iop/contracts';
// The kafka-client module alone: the messaging library's index loads the outbox, relay and database layers this consumer has no use for.
import { kafkaBrokers } from '../libs/messaging/src/kafka-client';

const USAGE = 'usage: npm run analytics:land -- [--file <path>] [--until-idle] [--json] [--brokers <list>] [--group <id>] [--idle-ms <n>]';
const TOPIC_NAMES = [TOPICS.analyticsAttendance.name, TOPICS.analyticsAttendanceWeekly.name, TOPICS.analyticsSiteWeek.name];

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS facts (
    fact_id VARCHAR PRIMARY KEY, revision INTEGER NOT NULL, patient_key VARCHAR NOT NULL, key_id VARCHAR NOT NULL, site_id VARCHAR NOT NULL,
    program_kind VARCHAR, level_of_care VARCHAR, session_kind VARCHAR NOT NULL, modality VARCHAR NOT NULL, service_date DATE NOT NULL,
    iso_week VARCHAR NOT NULL, scheduled_minutes INTEGER NOT NULL, attended_minutes INTEGER NOT NULL, late_minutes INTEGER NOT NULL,
    early_minutes INTEGER NOT NULL, status VARCHAR NOT NULL, occurred_at TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS patient_weeks (
    patient_key VARCHAR NOT NULL, iso_week VARCHAR NOT NULL, key_id VARCHAR NOT NULL, week_start DATE NOT NULL, site_id VARCHAR NOT NULL,
    scheduled_minutes INTEGER NOT NULL, attended_minutes INTEGER NOT NULL, sessions INTEGER NOT NULL, billable_days INTEGER NOT NULL,
    status_counts JSON NOT NULL, plan_minimum_minutes INTEGER, plan_minimum_met BOOLEAN, revision INTEGER NOT NULL, occurred_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (patient_key, iso_week))`,
  `CREATE TABLE IF NOT EXISTS site_weeks (
    site_id VARCHAR NOT NULL, iso_week VARCHAR NOT NULL, week_start DATE NOT NULL, census INTEGER, sessions_scheduled INTEGER,
    sessions_attended INTEGER, no_shows INTEGER, attendance_rate DOUBLE, no_show_rate DOUBLE, hours_per_patient DOUBLE,
    revision INTEGER NOT NULL, occurred_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (site_id, iso_week))`,
];

type Fact = PayloadOf<typeof AttendanceFactRecorded>;
type Week = PayloadOf<typeof AttendanceWeekComputed>;
type SiteWeek = PayloadOf<typeof SiteWeekComputed>;

const upsertFact = (db: DuckDBConnection, f: Fact) =>
  db.run(
    `INSERT INTO facts VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::DATE, $11, $12, $13, $14, $15, $16, $17::TIMESTAMPTZ)
     ON CONFLICT (fact_id) DO UPDATE SET revision = excluded.revision, patient_key = excluded.patient_key, key_id = excluded.key_id,
       site_id = excluded.site_id, program_kind = excluded.program_kind, level_of_care = excluded.level_of_care, session_kind = excluded.session_kind,
       modality = excluded.modality, service_date = excluded.service_date, iso_week = excluded.iso_week, scheduled_minutes = excluded.scheduled_minutes,
       attended_minutes = excluded.attended_minutes, late_minutes = excluded.late_minutes, early_minutes = excluded.early_minutes,
       status = excluded.status, occurred_at = excluded.occurred_at
     WHERE excluded.revision >= facts.revision`,
    [
      f.factId,
      f.revision,
      f.patientKey,
      f.keyId,
      f.siteId,
      f.programKind,
      f.levelOfCare,
      f.sessionKind,
      f.modality,
      f.serviceDate,
      f.isoWeek,
      f.scheduledMinutes,
      f.attendedMinutes,
      f.lateMinutes,
      f.earlyMinutes,
      f.status,
      f.occurredAt,
    ],
  );

const upsertWeek = (db: DuckDBConnection, w: Week) =>
  db.run(
    `INSERT INTO patient_weeks VALUES ($1, $2, $3, $4::DATE, $5, $6, $7, $8, $9, $10::JSON, $11, $12, $13, $14::TIMESTAMPTZ)
     ON CONFLICT (patient_key, iso_week) DO UPDATE SET key_id = excluded.key_id, week_start = excluded.week_start, site_id = excluded.site_id,
       scheduled_minutes = excluded.scheduled_minutes, attended_minutes = excluded.attended_minutes, sessions = excluded.sessions,
       billable_days = excluded.billable_days, status_counts = excluded.status_counts, plan_minimum_minutes = excluded.plan_minimum_minutes,
       plan_minimum_met = excluded.plan_minimum_met, revision = excluded.revision, occurred_at = excluded.occurred_at
     WHERE excluded.revision >= patient_weeks.revision`,
    [
      w.patientKey,
      w.isoWeek,
      w.keyId,
      w.weekStart,
      w.siteId,
      w.scheduledMinutes,
      w.attendedMinutes,
      w.sessions,
      w.billableDays,
      JSON.stringify(w.statusCounts),
      w.planMinimumMinutes,
      w.planMinimumMet,
      w.revision,
      w.occurredAt,
    ],
  );

const upsertSiteWeek = (db: DuckDBConnection, s: SiteWeek) =>
  db.run(
    `INSERT INTO site_weeks VALUES ($1, $2, $3::DATE, $4, $5, $6, $7, $8, $9, $10, $11, $12::TIMESTAMPTZ)
     ON CONFLICT (site_id, iso_week) DO UPDATE SET week_start = excluded.week_start, census = excluded.census,
       sessions_scheduled = excluded.sessions_scheduled, sessions_attended = excluded.sessions_attended, no_shows = excluded.no_shows,
       attendance_rate = excluded.attendance_rate, no_show_rate = excluded.no_show_rate, hours_per_patient = excluded.hours_per_patient,
       revision = excluded.revision, occurred_at = excluded.occurred_at
     WHERE excluded.revision >= site_weeks.revision`,
    [
      s.siteId,
      s.isoWeek,
      s.weekStart,
      s.census.value,
      s.sessionsScheduled.value,
      s.sessionsAttended.value,
      s.noShows.value,
      s.attendanceRate.value,
      s.noShowRate.value,
      s.hoursPerPatient.value,
      s.revision,
      s.occurredAt,
    ],
  );

/** What each message is, by its CloudEvents `ce_dataschema` header: a version this consumer does not know is skipped, not guessed at. */
const HANDLERS: Record<string, (db: DuckDBConnection, payload: unknown) => Promise<unknown>> = {
  [dataSchemaUri(AttendanceFactRecorded)]: (db, p) => upsertFact(db, AttendanceFactRecorded.schema.parse(p)),
  [dataSchemaUri(AttendanceWeekComputed)]: (db, p) => upsertWeek(db, AttendanceWeekComputed.schema.parse(p)),
  [dataSchemaUri(SiteWeekComputed)]: (db, p) => upsertSiteWeek(db, SiteWeekComputed.schema.parse(p)),
};

export interface SiteWeekFigure {
  readonly siteId: string;
  readonly isoWeek: string;
  readonly patients: number;
  /** Patient-sessions scheduled, clinic cancellations left out. */
  readonly sessions: number;
  readonly attended: number;
  readonly attendanceRate: number;
  readonly hours: number;
  readonly hoursPerPatient: number;
}

/** Attendance rate and hours per site and week, from the landed facts. */
async function figures(db: DuckDBConnection): Promise<SiteWeekFigure[]> {
  const reader = await db.runAndReadAll(`
    SELECT site_id, iso_week,
      count(DISTINCT patient_key) FILTER (WHERE status <> 'cancelled-by-clinic') AS patients,
      count(*) FILTER (WHERE status <> 'cancelled-by-clinic') AS sessions,
      count(*) FILTER (WHERE status IN ('attended', 'late', 'left-early')) AS attended,
      coalesce(sum(attended_minutes), 0) AS minutes
    FROM facts GROUP BY site_id, iso_week ORDER BY site_id, iso_week`);
  return reader.getRowObjectsJS().map((r) => {
    const patients = Number(r['patients']);
    const sessions = Number(r['sessions']);
    const hours = Number(r['minutes']) / 60;
    return {
      siteId: String(r['site_id']),
      isoWeek: String(r['iso_week']),
      patients,
      sessions,
      attended: Number(r['attended']),
      attendanceRate: sessions === 0 ? 0 : Math.round((Number(r['attended']) / sessions) * 10000) / 10000,
      hours: Math.round(hours * 100) / 100,
      hoursPerPatient: patients === 0 ? 0 : Math.round((hours / patients) * 100) / 100,
    };
  });
}

function print(rows: readonly SiteWeekFigure[], json: boolean, landed: string): void {
  if (json) {
    for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    return;
  }
  process.stdout.write(`${landed}\n`);
  if (rows.length === 0) {
    process.stdout.write('no facts yet\n');
    return;
  }
  process.stdout.write(`${['site', 'week', 'patients', 'sessions', 'attended', 'rate', 'hours', 'hours/patient'].join('\t')}\n`);
  for (const r of rows) {
    const rate = `${(r.attendanceRate * 100).toFixed(1)}%`;
    process.stdout.write(`${[r.siteId, r.isoWeek, r.patients, r.sessions, r.attended, rate, r.hours.toFixed(2), r.hoursPerPatient.toFixed(2)].join('\t')}\n`);
  }
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        file: { type: 'string', default: '.run/analytics/attendance.duckdb' },
        'until-idle': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        brokers: { type: 'string' },
        group: { type: 'string' },
        'idle-ms': { type: 'string', default: '1500' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const idleMs = Number(values['idle-ms']);
  if (!Number.isInteger(idleMs) || idleMs < 100) {
    process.stderr.write(`--idle-ms must be a whole number of milliseconds, at least 100\n${USAGE}\n`);
    return 2;
  }
  const file = resolve(values.file);
  mkdirSync(dirname(file), { recursive: true });
  const instance = await DuckDBInstance.create(file);
  const db = await instance.connect();
  for (const sql of SCHEMA) await db.run(sql);

  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  const brokers = values.brokers ? values.brokers.split(',').map((b) => b.trim()) : kafkaBrokers();
  const kafka = new Kafka({ clientId: 'analytics-land', brokers, logLevel: logLevel.ERROR, retry: { retries: 5 } });
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const topics = TOPIC_NAMES.filter((t) => existing.has(t));
  // A short fetch wait: an idle fetch would otherwise hold up both the drain check and the disconnect for 5 s per broker.
  const consumer = kafka.consumer({ groupId: values.group ?? `analytics-land-${randomUUID()}`, sessionTimeout: 10000, maxWaitTimeInMs: 250 });
  /** Next offset to read per topic/partition, as landed. */
  const position = new Map<string, bigint>();
  let landed = 0;
  let skipped = 0;
  let lastMessageAt = Date.now();

  const eachBatch = async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
    await db.run('BEGIN TRANSACTION');
    try {
      for (const message of batch.messages) {
        const header = message.headers?.['ce_dataschema'];
        const handler = HANDLERS[header ? String(header) : ''];
        if (handler && message.value) {
          await handler(db, JSON.parse(message.value.toString('utf8')));
          landed++;
        } else skipped++;
      }
      await db.run('COMMIT');
    } catch (error) {
      await db.run('ROLLBACK');
      throw error;
    }
    const last = batch.messages[batch.messages.length - 1];
    if (last) {
      resolveOffset(last.offset);
      position.set(`${batch.topic}/${batch.partition}`, BigInt(last.offset) + 1n);
    }
    lastMessageAt = Date.now();
    await heartbeat();
  };

  /** True when every partition has been landed up to its current end. */
  const caughtUp = async () => {
    for (const topic of topics) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(high) <= BigInt(low)) continue;
        if ((position.get(`${topic}/${partition}`) ?? 0n) < BigInt(high)) return false;
      }
    }
    return true;
  };

  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolveStop) => (stop = resolveStop));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (topics.length > 0) {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ eachBatch, autoCommit: true });
  } else process.stderr.write(`none of ${TOPIC_NAMES.join(', ')} exists yet\n`);

  let printedAt = -1;
  const timer = setInterval(() => {
    void (async () => {
      if (Date.now() - lastMessageAt < idleMs || !(await caughtUp())) return;
      if (printedAt !== landed) {
        printedAt = landed;
        print(await figures(db), values.json, `landed ${landed} message(s) into ${file}${skipped ? `, skipped ${skipped} of unknown type or version` : ''}`);
      }
      if (values['until-idle']) stop();
    })().catch((error: unknown) => {
      process.stderr.write(`analytics:land: ${(error as Error).message}\n`);
    });
  }, 250);
  await stopped;
  clearInterval(timer);
  await consumer.disconnect();
  await admin.disconnect();
  db.closeSync();
  instance.closeSync();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`analytics:land failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
