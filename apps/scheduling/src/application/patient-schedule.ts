import { Injectable } from '@nestjs/common';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { AuditTrail } from '@iop/auth';
import { UnitOfWork, notFound } from '@iop/platform';
import type { PatientScheduleFilter } from '../api/patient-schedule.schemas';
import type { Site } from '../domain/site';
import { requireSite, todayAt } from './enrolment-store';

export interface ScheduleItem {
  readonly kind: 'group-session' | 'appointment';
  readonly id: string;
  readonly siteId: string;
  readonly title: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly localDate: string;
  readonly localStart: string;
  readonly localEnd: string;
  readonly clinicianId: string;
  readonly roomId: string | null;
  readonly telehealth: boolean;
  readonly status: 'scheduled' | 'cancelled';
  readonly revision: number;
}

/** How far ahead (and back) the calendar feed reaches. */
const FEED_DAYS_BACK = 7;
const FEED_DAYS_AHEAD = 120;

/**
 * The patient's week at one site: group sessions they hold a seat in and their appointments, in the site's zone.
 * Audited reads. The iCalendar feed says only "Group session at <site>" / "Appointment at <site>": a phone's
 * calendar (and whoever looks at it) learns no diagnosis, program or topic.
 */
@Injectable()
export class PatientSchedule {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  week(patientId: string, query: PatientScheduleFilter) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const site = await patientSite(manager, query.siteId, patientId);
      const from = query.from ?? DateTime.fromISO(todayAt(site)).startOf('week').toISODate()!;
      const to = query.to ?? DateTime.fromISO(from).plus({ days: 6 }).toISODate()!;
      const items = await itemsBetween(manager, site, patientId, from, to);
      await this.audit.record(manager, { principal, requestId }, { action: 'read', resource: `patient:${patientId}/schedule`, patientId, siteId: site.siteId });
      return { patientId, siteId: site.siteId, timeZone: site.timeZone, from, to, items };
    });
  }

  feed(patientId: string, siteId: string): Promise<string> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const site = await patientSite(manager, siteId, patientId);
      const today = DateTime.fromISO(todayAt(site));
      const items = await itemsBetween(
        manager,
        site,
        patientId,
        today.minus({ days: FEED_DAYS_BACK }).toISODate()!,
        today.plus({ days: FEED_DAYS_AHEAD }).toISODate()!,
      );
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `patient:${patientId}/schedule.ics`, patientId, siteId: site.siteId },
      );
      // As the clinician's feed: UID the session or appointment id, SEQUENCE its revision (a moved event replaces the
      // old one, a cancelled one shows cancelled), UTC instants, X-WR-TIMEZONE the site's zone.
      const calendar = ical({ name: `Schedule at ${site.name}`, prodId: '//IOP platform//scheduling//EN', method: ICalCalendarMethod.PUBLISH, ttl: 60 * 60 });
      calendar.x([{ key: 'X-WR-TIMEZONE', value: site.timeZone }]);
      for (const item of items) {
        calendar.createEvent({
          id: item.id,
          sequence: item.revision,
          start: item.startsAt,
          end: item.endsAt,
          summary: `${item.kind === 'appointment' ? 'Appointment' : 'Group session'} at ${site.name}`,
          status: item.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
          ...(item.telehealth ? { location: 'Telehealth' } : {}),
        });
      }
      return calendar.toString();
    });
  }
}

/** The site, if the patient has (or had) an enrolment there: the same 404 whether the patient is unknown or another site's. */
async function patientSite(manager: EntityManager, siteId: string, patientId: string): Promise<Site> {
  const site = await requireSite(manager, siteId);
  const rows = (await manager.query(`SELECT 1 FROM scheduling.enrolments WHERE site_id = $1 AND patient_id = $2 LIMIT 1`, [siteId, patientId])) as unknown[];
  if (rows.length === 0) throw notFound('patient.not-at-site', `patient ${patientId} has no enrolment at site ${siteId}`);
  return site;
}

async function itemsBetween(manager: EntityManager, site: Site, patientId: string, from: string, to: string): Promise<ScheduleItem[]> {
  const start = DateTime.fromISO(from, { zone: site.timeZone }).startOf('day').toJSDate();
  const end = DateTime.fromISO(to, { zone: site.timeZone }).plus({ days: 1 }).startOf('day').toJSDate();
  const rows = (await manager.query(
    `SELECT 'group-session' AS kind, s.session_id AS id, s.site_id AS "siteId", s.topic AS title, s.starts_at AS "startsAt", s.ends_at AS "endsAt",
            s.leader_id AS "clinicianId", s.room_id AS "roomId", s.delivery = 'telehealth' AS telehealth, s.status, s.revision
       FROM scheduling.seat_bookings b JOIN scheduling.sessions s ON s.session_id = b.session_id
      WHERE b.patient_id = $1 AND b.site_id = $2 AND b.status = 'booked' AND s.starts_at < $4 AND s.ends_at > $3
     UNION ALL
     SELECT 'appointment', a.appointment_id, a.site_id, replace(a.kind, '-', ' '), a.starts_at, a.ends_at, a.clinician_id, a.room_id, a.telehealth,
            CASE a.status WHEN 'booked' THEN 'scheduled' ELSE 'cancelled' END, a.revision
       FROM scheduling.appointments a
      WHERE a.patient_id = $1 AND a.site_id = $2 AND a.starts_at < $4 AND a.ends_at > $3
      ORDER BY 5, 2`,
    [patientId, site.siteId, start, end],
  )) as Array<Omit<ScheduleItem, 'localDate' | 'localStart' | 'localEnd'>>;
  return rows.map((r) => {
    const s = DateTime.fromJSDate(r.startsAt).setZone(site.timeZone);
    return {
      ...r,
      localDate: s.toISODate()!,
      localStart: s.toFormat('HH:mm'),
      localEnd: DateTime.fromJSDate(r.endsAt).setZone(site.timeZone).toFormat('HH:mm'),
    };
  });
}
