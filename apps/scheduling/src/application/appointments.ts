import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppointmentBooked, AppointmentCancelled, AppointmentRescheduled, type PayloadOf } from '@iop/contracts';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { DomainError, UnitOfWork, conflict, notFound } from '@iop/platform';
import { holdCommitments, releaseCommitments, type Commitment } from '../infrastructure/commitments';
import type { BookAppointmentBody, CancelAppointmentBody, RescheduleAppointmentBody } from '../api/appointment.schemas';
import { enrolmentStore, invalid, requireSite } from './enrolment-store';

export interface Appointment {
  readonly appointmentId: string;
  readonly siteId: string;
  readonly patientId: string;
  readonly enrolmentId: string;
  readonly clinicianId: string;
  readonly kind: BookAppointmentBody['kind'];
  readonly roomId: string | null;
  readonly telehealth: boolean;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly status: 'booked' | 'cancelled';
  readonly cancelReason: string | null;
  readonly revision: number;
}

const COLUMNS = `appointment_id AS "appointmentId", site_id AS "siteId", patient_id AS "patientId", enrolment_id AS "enrolmentId",
  clinician_id AS "clinicianId", kind, room_id AS "roomId", telehealth, starts_at AS "startsAt", ends_at AS "endsAt", status,
  cancel_reason AS "cancelReason", revision`;

/**
 * Individual appointments: a clinician and a patient of the site, in a room of the site or by telehealth. Postgres
 * refuses double-booking of the clinician, the room and the patient (anywhere in the network) through
 * `scheduling.commitments`; a refusal is a 409 naming what is in the way.
 */
@Injectable()
export class Appointments {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  book(siteId: string, body: BookAppointmentBody): Promise<Appointment> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const site = await requireSite(manager, siteId);
      const enrolment = await enrolmentStore.openAt(manager, siteId, body.patientId);
      // The same answer whether the patient is unknown or enrolled elsewhere: a site must not learn of another's patients.
      if (!enrolment) throw invalid('patient.not-at-site', `patient ${body.patientId} has no open enrolment at site ${siteId}`);
      await requireClinician(manager, siteId, body.clinicianId);
      if (body.roomId) await requireRoom(manager, siteId, body.roomId);
      const startsAt = new Date(body.startsAt);
      const endsAt = new Date(body.endsAt);
      notInThePast(startsAt);
      const appointment: Appointment = {
        appointmentId: crypto.randomUUID(),
        siteId,
        patientId: body.patientId,
        enrolmentId: enrolment.enrolmentId,
        clinicianId: body.clinicianId,
        kind: body.kind,
        roomId: body.roomId ?? null,
        telehealth: body.telehealth,
        startsAt,
        endsAt,
        status: 'booked',
        cancelReason: null,
        revision: 1,
      };
      await manager.query(
        `INSERT INTO scheduling.appointments (appointment_id, site_id, patient_id, enrolment_id, clinician_id, kind, room_id, telehealth, starts_at, ends_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          appointment.appointmentId,
          siteId,
          appointment.patientId,
          appointment.enrolmentId,
          appointment.clinicianId,
          appointment.kind,
          appointment.roomId,
          appointment.telehealth,
          startsAt,
          endsAt,
        ],
      );
      await holdCommitments(manager, commitmentsOf(appointment), site.timeZone);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'create', resource: `appointment:${appointment.appointmentId}`, patientId: appointment.patientId, siteId },
      );
      await this.outbox.add(manager, AppointmentBooked, eventOf(appointment), { correlationId: requestId });
      return appointment;
    });
  }

  get(appointmentId: string): Promise<Appointment> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const a = await find(manager, appointmentId);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'read', resource: `appointment:${appointmentId}`, patientId: a.patientId, siteId: a.siteId },
      );
      return a;
    });
  }

  reschedule(appointmentId: string, body: RescheduleAppointmentBody): Promise<Appointment> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const current = await find(manager, appointmentId, true);
      stillBooked(current);
      const site = await requireSite(manager, current.siteId);
      const clinicianId = body.clinicianId ?? current.clinicianId;
      const telehealth = body.telehealth ?? current.telehealth;
      const roomId = body.roomId === undefined ? current.roomId : body.roomId;
      if (!telehealth && !roomId)
        throw new DomainError('appointment.room-needed', 'an in-person appointment needs a room: name roomId, or set telehealth', 400);
      if (clinicianId !== current.clinicianId) await requireClinician(manager, current.siteId, clinicianId);
      if (roomId && roomId !== current.roomId) await requireRoom(manager, current.siteId, roomId);
      const startsAt = new Date(body.startsAt);
      notInThePast(startsAt);
      const next: Appointment = { ...current, clinicianId, telehealth, roomId, startsAt, endsAt: new Date(body.endsAt), revision: current.revision + 1 };
      await releaseCommitments(manager, 'appointment', appointmentId);
      await holdCommitments(manager, commitmentsOf(next), site.timeZone);
      await manager.query(
        `UPDATE scheduling.appointments SET clinician_id = $2, room_id = $3, telehealth = $4, starts_at = $5, ends_at = $6, revision = $7, updated_at = now()
          WHERE appointment_id = $1`,
        [appointmentId, clinicianId, roomId, telehealth, next.startsAt, next.endsAt, next.revision],
      );
      // A reminder already sent was for the old time: the new time gets its own.
      await manager.query(`DELETE FROM scheduling.reminders_sent WHERE source_kind = 'appointment' AND source_id = $1`, [appointmentId]);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `appointment:${appointmentId}`, patientId: next.patientId, siteId: next.siteId },
      );
      await this.outbox.add(manager, AppointmentRescheduled, eventOf(next), { correlationId: requestId });
      return next;
    });
  }

  cancel(appointmentId: string, body: CancelAppointmentBody): Promise<Appointment> {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const current = await find(manager, appointmentId, true);
      stillBooked(current);
      const next: Appointment = { ...current, status: 'cancelled', cancelReason: body.reason, revision: current.revision + 1 };
      await manager.query(
        `UPDATE scheduling.appointments SET status = 'cancelled', cancel_reason = $2, revision = $3, updated_at = now() WHERE appointment_id = $1`,
        [appointmentId, body.reason, next.revision],
      );
      await releaseCommitments(manager, 'appointment', appointmentId);
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `appointment:${appointmentId}`, patientId: next.patientId, siteId: next.siteId },
      );
      await this.outbox.add(manager, AppointmentCancelled, { ...eventOf(next), cancelledBy: body.cancelledBy }, { correlationId: requestId });
      return next;
    });
  }
}

async function find(manager: EntityManager, appointmentId: string, lock = false): Promise<Appointment> {
  const rows = (await manager.query(`SELECT ${COLUMNS} FROM scheduling.appointments WHERE appointment_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
    appointmentId,
  ])) as Appointment[];
  if (!rows[0]) throw notFound('appointment.unknown', `there is no appointment ${appointmentId}`);
  return rows[0];
}

function stillBooked(a: Appointment): void {
  if (a.status !== 'booked') throw conflict('appointment.cancelled', `appointment ${a.appointmentId} was cancelled`);
  if (a.startsAt.getTime() <= Date.now()) throw invalid('appointment.started', `appointment ${a.appointmentId} has already started`);
}

function notInThePast(startsAt: Date): void {
  if (startsAt.getTime() <= Date.now()) throw invalid('appointment.in-past', `an appointment cannot start in the past (${startsAt.toISOString()})`);
}

export async function requireClinician(manager: EntityManager, siteId: string, clinicianId: string): Promise<void> {
  const rows = (await manager.query(`SELECT 1 FROM scheduling.clinicians WHERE clinician_id = $1 AND site_id = $2 AND active`, [
    clinicianId,
    siteId,
  ])) as unknown[];
  if (rows.length === 0) throw invalid('clinician.not-at-site', `clinician ${clinicianId} is not an active clinician of site ${siteId}`);
}

export async function requireRoom(manager: EntityManager, siteId: string, roomId: string): Promise<void> {
  const rows = (await manager.query(`SELECT 1 FROM scheduling.rooms WHERE room_id = $1 AND site_id = $2 AND active`, [roomId, siteId])) as unknown[];
  if (rows.length === 0) throw invalid('room.not-at-site', `room ${roomId} is not an active room of site ${siteId}`);
}

function commitmentsOf(a: Appointment): Commitment[] {
  const base = { siteId: a.siteId, startsAt: a.startsAt, endsAt: a.endsAt, sourceKind: 'appointment' as const, sourceId: a.appointmentId };
  return [
    { ...base, holderKind: 'clinician', holderId: a.clinicianId },
    ...(a.roomId ? [{ ...base, holderKind: 'room' as const, holderId: a.roomId }] : []),
    { ...base, holderKind: 'patient', holderId: a.patientId },
  ];
}

function eventOf(a: Appointment): PayloadOf<typeof AppointmentBooked> {
  return {
    appointmentId: a.appointmentId,
    patientId: a.patientId,
    enrolmentId: a.enrolmentId,
    siteId: a.siteId,
    clinicianId: a.clinicianId,
    kind: a.kind,
    roomId: a.roomId,
    telehealth: a.telehealth,
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt.toISOString(),
    occurredAt: new Date().toISOString(),
  };
}
