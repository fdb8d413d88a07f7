import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { SiteDirectory, UnitOfWork } from '@iop/platform';
import { recordFromRow, type AttendanceRecordRow } from '../domain/attendance-record';
import { hoursByDayAndWeek } from '../domain/calendar';
import { loadSession } from './seats';
import { siteWeeksBetween } from './analytics-stream';

export interface ChargeLine {
  chargeId: string;
  patientId: string;
  episodeId: string | null;
  serviceDate: string;
  kind: 'per-diem' | 'discrete';
  code: string;
  revenueCode: string | null;
  units: number;
  minutes: number;
  sessionId: string | null;
}

const CSV_COLUMNS: ReadonlyArray<keyof ChargeLine> = [
  'chargeId',
  'serviceDate',
  'patientId',
  'episodeId',
  'kind',
  'code',
  'revenueCode',
  'units',
  'minutes',
  'sessionId',
];

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; lines end in CRLF. */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function chargesCsv(lines: readonly ChargeLine[]): string {
  return [CSV_COLUMNS.join(','), ...lines.map((l) => CSV_COLUMNS.map((c) => csvField(l[c])).join(','))].map((l) => `${l}\r\n`).join('');
}

const RECORD_SELECT = `r.record_id, r.session_id, r.patient_id, r.site_id, r.enrolment_id, r.episode_id, r.program_id, r.service_date::text AS service_date,
  r.status, r.check_in_at, r.check_out_at, r.scheduled_minutes, r.attended_minutes, r.late_minutes, r.early_minutes, r.revision, r.source, r.recorded_at, r.updated_at`;

@Injectable()
export class AttendanceQueries {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
    private readonly sites: SiteDirectory,
  ) {}

  /** Who is booked in a session and their record if any; ids and statuses only. Audited: it lists patients. */
  roster(sessionId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await loadSession(manager, sessionId);
      const seats = (await manager.query(
        `SELECT st.patient_id, st.enrolment_id AS seat_enrolment_id, ${RECORD_SELECT.replace(/r\.patient_id, /, '')}
           FROM attendance.seats st LEFT JOIN attendance.attendance_records r ON r.session_id = st.session_id AND r.patient_id = st.patient_id
          WHERE st.session_id = $1 AND (st.state = 'booked' OR r.record_id IS NOT NULL) ORDER BY st.patient_id`,
        [sessionId],
      )) as Array<AttendanceRecordRow & { seat_enrolment_id: string }>;
      for (const s of seats) {
        await this.audit.record(
          manager,
          { principal, requestId },
          { action: 'list', resource: `roster:${sessionId}`, patientId: s.patient_id, siteId: session.site_id },
        );
      }
      return {
        session: sessionView(session),
        entries: seats.map((s) => ({ patientId: s.patient_id, enrolmentId: s.seat_enrolment_id, record: s.record_id ? recordFromRow(s) : null })),
      };
    });
  }

  kioskCode(sessionId: string) {
    return this.uow.run(async ({ manager }) => {
      const session = await loadSession(manager, sessionId);
      return {
        sessionId,
        code: session.kiosk_code,
        opensAt: new Date(session.starts_at.getTime() - 30 * 60 * 1000).toISOString(),
        closesAt: session.ends_at.toISOString(),
      };
    });
  }

  /** The sessions on a local day at a site (the date is the site's own calendar day). */
  sessionsOn(siteId: string, date: string) {
    return this.uow.run(async ({ manager }) => {
      const site = await this.sites.require(manager, siteId, 'attendance');
      const rows = (await manager.query(
        `SELECT s.session_id, s.site_id, s.source, s.kind, s.program_id, s.track_id, s.starts_at, s.ends_at, s.local_date::text AS local_date, s.delivery,
                s.capacity, s.status, s.kiosk_code,
                (SELECT count(*) FROM attendance.seats st WHERE st.session_id = s.session_id AND st.state = 'booked')::int AS booked,
                (SELECT count(*) FROM attendance.attendance_records r WHERE r.session_id = s.session_id)::int AS recorded
           FROM attendance.sessions s WHERE s.site_id = $1 AND s.local_date = $2::date ORDER BY s.starts_at, s.session_id`,
        [siteId, date],
      )) as Array<Parameters<typeof sessionView>[0] & { booked: number; recorded: number }>;
      return { siteId, date, timeZone: site.timeZone, sessions: rows.map((r) => ({ ...sessionView(r), booked: r.booked, recorded: r.recorded })) };
    });
  }

  /** A patient's sessions, days and ISO weeks (site zone) between two local dates, against the plan's weekly minimum. Audited. */
  patientHours(patientId: string, siteId: string, from: string, to: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const site = await this.sites.require(manager, siteId, 'attendance');
      const sessions = (await manager.query(
        `SELECT s.session_id, s.kind, s.local_date::text AS service_date, s.starts_at, s.ends_at,
                coalesce(r.scheduled_minutes, (extract(epoch FROM (s.ends_at - s.starts_at)) / 60)::int) AS scheduled_minutes,
                coalesce(r.attended_minutes, 0) AS attended_minutes, r.status, r.record_id, r.revision
           FROM attendance.sessions s
           LEFT JOIN attendance.seats st ON st.session_id = s.session_id AND st.patient_id = $1
           LEFT JOIN attendance.attendance_records r ON r.session_id = s.session_id AND r.patient_id = $1
          WHERE s.site_id = $2 AND s.local_date BETWEEN $3::date AND $4::date AND s.status = 'scheduled'
            AND (st.state = 'booked' OR r.record_id IS NOT NULL)
          ORDER BY s.starts_at`,
        [patientId, siteId, from, to],
      )) as Array<{
        session_id: string;
        kind: string;
        service_date: string;
        starts_at: Date;
        ends_at: Date;
        scheduled_minutes: number;
        attended_minutes: number;
        status: string | null;
        record_id: string | null;
        revision: number | null;
      }>;
      const plan = (
        (await manager.query(
          `SELECT coalesce(e.weekly_minimum_minutes, p.min_weekly_minutes) AS minimum FROM attendance.enrolments e
             LEFT JOIN attendance.programs p ON p.program_id = e.program_id
            WHERE e.patient_id = $1 AND e.site_id = $2 ORDER BY (e.status <> 'ended') DESC, e.updated_at DESC LIMIT 1`,
          [patientId, siteId],
        )) as { minimum: number | null }[]
      )[0];
      await this.audit.record(manager, { principal, requestId }, { action: 'read', resource: `attendance:patient:${patientId}`, patientId, siteId });
      const weeklyMinimum = plan?.minimum ?? null;
      const { days, weeks } = hoursByDayAndWeek(
        sessions.map((s) => ({ serviceDate: s.service_date, scheduledMinutes: s.scheduled_minutes, attendedMinutes: s.attended_minutes })),
        weeklyMinimum,
      );
      return {
        patientId,
        siteId,
        timeZone: site.timeZone,
        from,
        to,
        weeklyMinimumMinutes: weeklyMinimum,
        sessions: sessions.map((s) => ({
          sessionId: s.session_id,
          kind: s.kind,
          serviceDate: s.service_date,
          startsAt: s.starts_at.toISOString(),
          endsAt: s.ends_at.toISOString(),
          scheduledMinutes: s.scheduled_minutes,
          attendedMinutes: s.attended_minutes,
          status: s.status,
          recordId: s.record_id,
          revision: s.revision,
        })),
        days,
        weeks,
      };
    });
  }

  /** The site's de-identified weeks (analytics.site-week's figures, small cells suppressed): no patient, so no audit row. */
  siteWeeks(siteId: string, from: string, to: string) {
    return this.uow.run(async ({ manager }) => {
      await this.sites.require(manager, siteId, 'attendance');
      return { siteId, from, to, weeks: await siteWeeksBetween(manager, siteId, from, to) };
    });
  }

  /** The site's active charges between two local dates, for the billing team. */
  charges(siteId: string, from: string, to: string): Promise<ChargeLine[]> {
    return this.uow.run(async ({ manager }) => {
      await this.sites.require(manager, siteId, 'attendance');
      const rows = (await manager.query(
        `SELECT charge_id, patient_id, episode_id, service_date::text AS service_date, kind, code, revenue_code, units, minutes, session_id
           FROM attendance.charges WHERE site_id = $1 AND service_date BETWEEN $2::date AND $3::date AND state = 'active'
          ORDER BY service_date, patient_id, kind DESC, code, charge_id`,
        [siteId, from, to],
      )) as Array<{
        charge_id: string;
        patient_id: string;
        episode_id: string | null;
        service_date: string;
        kind: 'per-diem' | 'discrete';
        code: string;
        revenue_code: string | null;
        units: number;
        minutes: number;
        session_id: string | null;
      }>;
      return rows.map((r) => ({
        chargeId: r.charge_id,
        patientId: r.patient_id,
        episodeId: r.episode_id,
        serviceDate: r.service_date,
        kind: r.kind,
        code: r.code,
        revenueCode: r.revenue_code,
        units: r.units,
        minutes: r.minutes,
        sessionId: r.session_id,
      }));
    });
  }

  /** The site's outreach work queue: patients with two consecutive no-shows, newest first. Audited: it lists patients. */
  outreach(siteId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      await this.sites.require(manager, siteId, 'attendance');
      const rows = (await manager.query(
        `SELECT outreach_id, patient_id, episode_id, missed_session_ids, status, raised_at FROM attendance.outreach
          WHERE site_id = $1 AND status = 'open' ORDER BY raised_at DESC, outreach_id`,
        [siteId],
      )) as Array<{ outreach_id: string; patient_id: string; episode_id: string | null; missed_session_ids: string[]; status: string; raised_at: Date }>;
      for (const r of rows) {
        await this.audit.record(manager, { principal, requestId }, { action: 'list', resource: `outreach:${siteId}`, patientId: r.patient_id, siteId });
      }
      return {
        siteId,
        items: rows.map((r) => ({
          outreachId: r.outreach_id,
          patientId: r.patient_id,
          episodeId: r.episode_id,
          missedSessionIds: r.missed_session_ids,
          status: r.status,
          raisedAt: r.raised_at.toISOString(),
        })),
      };
    });
  }
}

function sessionView(s: {
  session_id: string;
  site_id: string;
  source: string;
  kind: string;
  program_id: string | null;
  track_id: string | null;
  starts_at: Date;
  ends_at: Date;
  local_date: string;
  delivery: string;
  capacity: number;
  status: string;
}) {
  return {
    sessionId: s.session_id,
    siteId: s.site_id,
    source: s.source,
    kind: s.kind,
    programId: s.program_id,
    trackId: s.track_id,
    startsAt: s.starts_at.toISOString(),
    endsAt: s.ends_at.toISOString(),
    localDate: s.local_date,
    delivery: s.delivery,
    capacity: s.capacity,
    status: s.status,
  };
}
