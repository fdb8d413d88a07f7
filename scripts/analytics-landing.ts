/**
 * The landing of the analysts' stream (docs/analytics/README.md) into an embedded DuckDB file: the consumer behind
 * `npm run analytics:land` (scripts/analytics-land.ts, the command line) and the attendance benchmark
 * (benchmarks/attendance.bench.ts, which times facts from a check-in to their landing).
 *
 * Every landing reads the topics from the beginning with a consumer group of its own and upserts: a fact by factId keeping
 * the highest revision (an equal revision replaces: it is a replay, or the same fact under a rotated pseudonym key), a
 * patient-week by (patientKey, isoWeek) and a site-week by (siteId, isoWeek) keeping the highest revision. So landing
 * the same stream twice, or a stream with a backfill in it, leaves the same rows.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Kafka, logLevel, type Admin, type Consumer, type EachBatchPayload } from 'kafkajs';
import { AttendanceFactRecorded, AttendanceWeekComputed, dataSchemaUri, SiteWeekComputed, TOPICS, type PayloadOf } from '@iop/contracts';

export const ANALYTICS_TOPIC_NAMES = [TOPICS.analyticsAttendance.name, TOPICS.analyticsAttendanceWeekly.name, TOPICS.analyticsSiteWeek.name];

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

const FACT_SCHEMA = dataSchemaUri(AttendanceFactRecorded);

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
export async function figures(db: DuckDBConnection): Promise<SiteWeekFigure[]> {
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

/** A fact as it was landed: `at` is when the transaction holding it committed in DuckDB. */
export interface LandedFact {
  readonly factId: string;
  readonly revision: number;
  readonly at: number;
}

export interface LandingOptions {
  /** The DuckDB file; its directory is made when missing. */
  readonly file: string;
  readonly brokers: string[];
  /** Default: a new group per landing, so it reads everything from the beginning. */
  readonly groupId?: string;
  /** Called after each committed batch with the facts it held (not the weekly rows). */
  readonly onFactsLanded?: (facts: readonly LandedFact[]) => void;
}

/**
 * One landing: `open` makes the tables, `start` subscribes to the analytics topics that exist and lands every batch in
 * a DuckDB transaction, `caughtUp` says whether every partition has been landed up to its current end.
 */
export class AnalyticsLanding {
  /** Messages landed and skipped (unknown type or version) so far. */
  landed = 0;
  skipped = 0;
  /** When the last batch was landed (or when the landing started). */
  lastMessageAt = Date.now();
  /** The topics this landing reads: those that existed when it started. */
  topics: string[] = [];
  private readonly position = new Map<string, bigint>();
  private consumer: Consumer | undefined;
  private closed = false;

  private constructor(
    readonly file: string,
    readonly db: DuckDBConnection,
    private readonly instance: DuckDBInstance,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly options: LandingOptions,
  ) {}

  static async open(options: LandingOptions): Promise<AnalyticsLanding> {
    const file = resolve(options.file);
    mkdirSync(dirname(file), { recursive: true });
    const instance = await DuckDBInstance.create(file);
    const db = await instance.connect();
    for (const sql of SCHEMA) await db.run(sql);
    process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
    const kafka = new Kafka({ clientId: 'analytics-land', brokers: options.brokers, logLevel: logLevel.ERROR, retry: { retries: 5 } });
    const admin = kafka.admin();
    await admin.connect();
    return new AnalyticsLanding(file, db, instance, kafka, admin, options);
  }

  /** Starts landing; false when none of the analytics topics exists yet (nothing to read). */
  async start(): Promise<boolean> {
    const existing = new Set(await this.admin.listTopics());
    this.topics = ANALYTICS_TOPIC_NAMES.filter((t) => existing.has(t));
    if (this.topics.length === 0) return false;
    // A short fetch wait: an idle fetch would otherwise hold up both the drain check and the disconnect for 5 s per broker.
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId ?? `analytics-land-${randomUUID()}`,
      sessionTimeout: 10000,
      maxWaitTimeInMs: 250,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({ eachBatch: (payload) => this.eachBatch(payload), autoCommit: true });
    return true;
  }

  private async eachBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    const facts: Array<{ factId: string; revision: number }> = [];
    await this.db.run('BEGIN TRANSACTION');
    try {
      for (const message of batch.messages) {
        const header = message.headers?.['ce_dataschema'];
        const schema = header ? String(header) : '';
        const handler = HANDLERS[schema];
        if (handler && message.value) {
          const payload: unknown = JSON.parse(message.value.toString('utf8'));
          await handler(this.db, payload);
          if (schema === FACT_SCHEMA) facts.push(payload as { factId: string; revision: number });
          this.landed++;
        } else this.skipped++;
      }
      await this.db.run('COMMIT');
    } catch (error) {
      await this.db.run('ROLLBACK');
      throw error;
    }
    const at = Date.now();
    if (facts.length > 0) this.options.onFactsLanded?.(facts.map((f) => ({ factId: f.factId, revision: f.revision, at })));
    const last = batch.messages[batch.messages.length - 1];
    if (last) {
      resolveOffset(last.offset);
      this.position.set(`${batch.topic}/${batch.partition}`, BigInt(last.offset) + 1n);
    }
    this.lastMessageAt = at;
    await heartbeat();
  }

  /** True when every partition has been landed up to its current end. */
  async caughtUp(): Promise<boolean> {
    for (const topic of this.topics) {
      for (const { partition, high, low } of await this.admin.fetchTopicOffsets(topic)) {
        if (BigInt(high) <= BigInt(low)) continue;
        if ((this.position.get(`${topic}/${partition}`) ?? 0n) < BigInt(high)) return false;
      }
    }
    return true;
  }

  figures(): Promise<SiteWeekFigure[]> {
    return figures(this.db);
  }

  /** Stops consuming and closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.consumer?.disconnect();
    await this.admin.disconnect();
    this.db.closeSync();
    this.instance.closeSync();
  }
}
