import { Injectable } from '@nestjs/common';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { DataSource, type EntityManager } from 'typeorm';
import { inScopedTransaction, sitesScope } from '@iop/persistence';
import { DomainError, UnitOfWork, notFound } from '@iop/platform';
import { signFeedLink, verifyFeedLink } from '../domain/feed-link';
import { siteOrNotFound } from './site-guard';
import { staffRepository } from './staff-repository';

export interface ScheduleItem {
  readonly kind: 'group-session' | 'appointment';
  readonly id: string;
  readonly role: 'leader' | 'co-leader' | 'clinician';
  readonly startsAt: string;
  readonly endsAt: string;
  readonly localStart: string;
  readonly localEnd: string;
  readonly roomId: string | null;
  readonly telehealth: boolean;
  readonly status: 'scheduled' | 'cancelled';
  readonly revision: number;
}

export interface Schedule {
  readonly clinicianId: string;
  readonly siteId: string;
  readonly siteName: string;
  readonly timeZone: string;
  readonly from: string;
  readonly to: string;
  readonly items: readonly ScheduleItem[];
}

interface Row {
  kind: ScheduleItem['kind'];
  id: string;
  role: ScheduleItem['role'];
  starts_at: Date;
  ends_at: Date;
  room_id: string | null;
  telehealth: boolean;
  status: string;
  revision: number;
}

/** The longest window one request may ask for. */
const MAX_DAYS = 185;

/**
 * A clinician's week: the group sessions they lead or co-lead and their appointments, in the site's zone. Nothing
 * about the patients (no names, no program, no kind of appointment): the feed may sit in a phone's calendar.
 */
@Injectable()
export class ClinicianSchedule {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly dataSource: DataSource,
  ) {}

  between(clinicianId: string, from: string | undefined, to: string | undefined): Promise<Schedule> {
    return this.uow.run(({ manager }) => readSchedule(manager, clinicianId, from, to));
  }

  /** The feed as its bearer-token caller sees it. */
  async ics(clinicianId: string, from: string | undefined, to: string | undefined): Promise<string> {
    return icsOf(await this.between(clinicianId, from, to));
  }

  /**
   * A signed link to the clinician's feed, for a calendar app (valid `SCHEDULING_FEED_LINK_DAYS`, 90 by default). A
   * clinician asks for their own; a site admin may ask for any of the site's clinicians.
   */
  feedLink(clinicianId: string): Promise<{ path: string; expiresAt: string }> {
    return this.uow.run(async ({ manager, principal }) => {
      const clinician = await staffRepository.clinician(manager, clinicianId);
      if (!clinician) throw notFound('clinician.unknown', `there is no clinician ${clinicianId}`);
      const admin = principal.roles.includes('site_admin') || principal.roles.includes('network_admin');
      if (!admin && principal.subject !== clinician.subject) {
        throw new DomainError('feed.not-yours', 'a clinician may ask for a link to their own calendar only', 403);
      }
      const days = Number(process.env['SCHEDULING_FEED_LINK_DAYS'] ?? 90);
      const expires = Math.floor(Date.now() / 1000) + (Number.isInteger(days) && days > 0 && days <= 366 ? days : 90) * 24 * 60 * 60;
      const token = signFeedLink({ clinicianId, siteId: clinician.siteId, expires }, feedSecret());
      return { path: `/calendar-feeds/${token}/schedule.ics`, expiresAt: new Date(expires * 1000).toISOString() };
    });
  }

  /** The feed as a signed link opens it: in the link's site only, while the clinician is active. */
  async icsByLink(token: string): Promise<string> {
    const check = verifyFeedLink(token, feedSecret());
    if (!check.ok) {
      throw notFound('feed.unknown', check.reason === 'expired' ? 'this calendar link has expired; ask for a new one' : 'there is no such calendar feed');
    }
    const { clinicianId, siteId } = check.claims;
    const schedule = await inScopedTransaction(this.dataSource, sitesScope([siteId]), async (manager) => {
      const clinician = await staffRepository.clinician(manager, clinicianId);
      if (!clinician?.active) throw notFound('feed.unknown', 'there is no such calendar feed');
      return readSchedule(manager, clinicianId, undefined, undefined);
    });
    return icsOf(schedule);
  }
}

/**
 * The secret feed links are signed with: `SCHEDULING_FEED_SECRET` (rotating it revokes every link). Outside
 * production a fixed development secret stands in; in production links are refused until one is set.
 */
function feedSecret(): string {
  const secret = process.env['SCHEDULING_FEED_SECRET'];
  if (secret) return secret;
  if (process.env['NODE_ENV'] === 'production') {
    throw new DomainError('feed.not-configured', 'calendar feed links are not configured here (SCHEDULING_FEED_SECRET)', 503);
  }
  return 'iop-development-only-feed-secret';
}

async function readSchedule(manager: EntityManager, clinicianId: string, from: string | undefined, to: string | undefined): Promise<Schedule> {
  const clinician = await staffRepository.clinician(manager, clinicianId);
  if (!clinician) throw notFound('clinician.unknown', `there is no clinician ${clinicianId}`);
  const site = await siteOrNotFound(manager, clinician.siteId);
  const zone = site.timeZone;
  const today = DateTime.now().setZone(zone).startOf('day');
  const start = from ? DateTime.fromISO(from, { zone }) : today.minus({ weeks: 1 });
  const end = (to ? DateTime.fromISO(to, { zone }) : today.plus({ weeks: 12 })).plus({ days: 1 });
  if (end <= start) throw new DomainError('schedule.bad-range', `to (${to ?? ''}) is before from (${from ?? ''})`, 400);
  if (end.diff(start, 'days').days > MAX_DAYS + 1) throw new DomainError('schedule.range-too-long', `ask for at most ${MAX_DAYS} days at a time`, 400);
  const rows = (await manager.query(
    `SELECT 'group-session' AS kind, session_id AS id, CASE WHEN leader_id = $1 THEN 'leader' ELSE 'co-leader' END AS role, starts_at, ends_at, room_id,
            delivery = 'telehealth' AS telehealth, status, revision
       FROM scheduling.sessions WHERE (leader_id = $1 OR co_leader_id = $1) AND starts_at >= $2 AND starts_at < $3
     UNION ALL
     SELECT 'appointment', appointment_id, 'clinician', starts_at, ends_at, room_id, telehealth, CASE status WHEN 'booked' THEN 'scheduled' ELSE 'cancelled' END, revision
       FROM scheduling.appointments WHERE clinician_id = $1 AND starts_at >= $2 AND starts_at < $3
     ORDER BY starts_at, id`,
    [clinicianId, start.toJSDate(), end.toJSDate()],
  )) as Row[];
  const local = (d: Date) => DateTime.fromJSDate(d).setZone(zone).toFormat("yyyy-LL-dd'T'HH:mm");
  const items: ScheduleItem[] = rows.map((r) => ({
    kind: r.kind,
    id: r.id,
    role: r.role,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    localStart: local(r.starts_at),
    localEnd: local(r.ends_at),
    roomId: r.room_id,
    telehealth: r.telehealth,
    status: r.status === 'cancelled' ? 'cancelled' : 'scheduled',
    revision: r.revision,
  }));
  return { clinicianId, siteId: site.siteId, siteName: site.name, timeZone: zone, from: start.toISODate()!, to: end.minus({ days: 1 }).toISODate()!, items };
}

/**
 * A schedule as an iCalendar feed. UID is the session or appointment id and SEQUENCE its revision, so a calendar that
 * subscribes replaces an event when it moves and shows it cancelled when it is. Times are UTC instants (unambiguous in
 * every client, no VTIMEZONE needed); X-WR-TIMEZONE names the site's zone for clients that display in it.
 */
function icsOf(schedule: Schedule): string {
  const calendar = ical({ name: `Schedule at ${schedule.siteName}`, prodId: '//IOP platform//scheduling//EN', method: ICalCalendarMethod.PUBLISH });
  calendar.x([{ key: 'X-WR-TIMEZONE', value: schedule.timeZone }]);
  for (const item of schedule.items) {
    calendar.createEvent({
      id: item.id,
      sequence: item.revision,
      start: new Date(item.startsAt),
      end: new Date(item.endsAt),
      summary: `${item.kind === 'group-session' ? 'Group session' : 'Appointment'} at ${schedule.siteName}`,
      status: item.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      ...(item.telehealth ? { location: 'Telehealth' } : {}),
    });
  }
  return calendar.toString();
}
