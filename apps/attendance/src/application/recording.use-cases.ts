import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditTrail } from '@iop/auth';
import { Outbox } from '@iop/messaging';
import { DomainError, UnitOfWork } from '@iop/platform';
import { wasPresent } from '../domain/attendance-rules';
import { ABSENCE_STATUSES, type AbsenceStatus, type AttendanceRecord, type AttendanceStatus } from '../domain/attendance-record';
import {
  alreadyCheckedOut,
  alreadyRecorded,
  checkOutBeforeCheckIn,
  notCheckedIn,
  notOnRoster,
  outsideSession,
  recordNotFound,
  sessionCancelled,
} from './attendance-errors';
import { findRecord, findRecordForSeat } from './attendance-records';
import { publishAnalyticsForRecords } from './analytics-stream';
import { writeRecord } from './record-attendance';
import { bookedPatients, findSessionsByKioskCode, loadSeat, loadSession, type SessionRow } from './seats';

const HOUR = 60 * 60 * 1000;
/** Kiosk codes work from 30 minutes before a session to its end. */
const KIOSK_OPENS_BEFORE_MS = 30 * 60 * 1000;

/** A time recorded against a session must fall within an hour of it (and not in the future). */
function requireNearSession(session: SessionRow, at: Date, what: string): void {
  if (at.getTime() < session.starts_at.getTime() - HOUR || at.getTime() > session.ends_at.getTime() + HOUR) throw outsideSession(what);
  if (at.getTime() > Date.now() + 5 * 60 * 1000) throw new DomainError('attendance.in-the-future', `${what} is in the future`, 422);
}

const isAbsence = (status: string): status is AbsenceStatus => (ABSENCE_STATUSES as readonly string[]).includes(status);

export interface GroupException {
  readonly patientId: string;
  readonly status: AttendanceStatus;
  /** For late: when they arrived; for left-early: when they left. */
  readonly at?: string | undefined;
}

@Injectable()
export class RecordAttendance {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly outbox: Outbox,
    private readonly audit: AuditTrail,
  ) {}

  checkIn(sessionId: string, patientId: string, at: Date | undefined) {
    return this.uow.run(({ manager, principal, requestId }) =>
      this.checkInWith(manager, sessionId, patientId, at ?? new Date(), 'check-in', principal.subject, requestId),
    );
  }

  private async checkInWith(
    manager: EntityManager,
    sessionId: string,
    patientId: string,
    at: Date,
    change: 'check-in' | 'kiosk',
    actor: string,
    requestId: string,
  ) {
    const seat = await loadSeat(manager, sessionId, patientId);
    requireNearSession(seat.session, at, 'the check-in');
    if (at.getTime() >= seat.session.ends_at.getTime()) throw outsideSession('a check-in after the session ended');
    const existing = await findRecordForSeat(manager, sessionId, patientId);
    if (existing) throw alreadyRecorded(existing.recordId);
    return writeRecord(manager, this.outbox, {
      seat,
      intervals: [{ from: at, to: null }],
      checkInAt: at,
      checkOutAt: null,
      source: change === 'kiosk' ? 'kiosk' : 'staff',
      change,
      actor,
      correlationId: requestId,
    });
  }

  checkOut(sessionId: string, patientId: string, at: Date | undefined) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const when = at ?? new Date();
      const seat = await loadSeat(manager, sessionId, patientId);
      requireNearSession(seat.session, when, 'the check-out');
      const existing = await findRecordForSeat(manager, sessionId, patientId);
      if (!existing?.checkInAt) throw notCheckedIn(patientId);
      if (existing.checkOutAt) throw alreadyCheckedOut(patientId);
      const checkInAt = new Date(existing.checkInAt);
      if (when.getTime() < checkInAt.getTime()) throw checkOutBeforeCheckIn();
      return writeRecord(manager, this.outbox, {
        seat,
        intervals: [{ from: checkInAt, to: when }],
        checkInAt,
        checkOutAt: when,
        source: existing.source,
        change: 'check-out',
        actor: principal.subject,
        correlationId: requestId,
      });
    });
  }

  /** The whole group at once: everyone booked is present for the whole session, except those named. Those already recorded are left as they are. */
  group(sessionId: string, allPresent: boolean, exceptions: readonly GroupException[]) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const session = await loadSession(manager, sessionId, true);
      if (session.status === 'cancelled') throw sessionCancelled(sessionId);
      if (session.starts_at.getTime() > Date.now() + 5 * 60 * 1000) throw new DomainError('attendance.in-the-future', 'the session has not started yet', 422);
      const booked = await bookedPatients(manager, sessionId);
      const byPatient = new Map(exceptions.map((e) => [e.patientId, e]));
      for (const e of exceptions) if (!booked.includes(e.patientId)) throw notOnRoster(sessionId, e.patientId);
      for (const e of exceptions) {
        if (e.status === 'late' || e.status === 'left-early') {
          if (!e.at) throw new DomainError('attendance.time-required', `${e.status} needs "at": when patient ${e.patientId} arrived or left`, 422);
          requireNearSession(session, new Date(e.at), `the time for patient ${e.patientId}`);
        }
      }
      const recorded: AttendanceRecord[] = [];
      const unchanged: string[] = [];
      for (const patientId of booked) {
        const existing = await findRecordForSeat(manager, sessionId, patientId);
        if (existing) {
          if (byPatient.has(patientId)) throw alreadyRecorded(existing.recordId);
          unchanged.push(patientId);
          continue;
        }
        const seat = await loadSeat(manager, sessionId, patientId);
        const exception = byPatient.get(patientId);
        const status: AttendanceStatus = exception?.status ?? (allPresent ? 'attended' : 'no-show');
        const at = exception?.at ? new Date(exception.at) : null;
        const checkInAt = status === 'late' && at ? at : wasPresent(status) ? session.starts_at : null;
        const checkOutAt = status === 'left-early' && at ? at : wasPresent(status) ? session.ends_at : null;
        recorded.push(
          await writeRecord(manager, this.outbox, {
            seat,
            intervals: checkInAt && checkOutAt ? [{ from: checkInAt, to: checkOutAt }] : [],
            ...(isAbsence(status) ? { absence: status } : {}),
            checkInAt,
            checkOutAt,
            source: 'group',
            change: 'group',
            actor: principal.subject,
            correlationId: requestId,
            analyticsByCaller: true,
          }),
        );
      }
      await publishAnalyticsForRecords(
        manager,
        recorded.map((r) => r.recordId),
        { context: { correlationId: requestId } },
      );
      return { sessionId, recorded, unchanged };
    });
  }

  /** The kiosk in the room: the code on the room screen finds the session, which must be open now. */
  kiosk(siteId: string, sessionCode: string, patientId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const now = Date.now();
      const open = (await findSessionsByKioskCode(manager, siteId, sessionCode)).filter(
        (s) => now >= s.starts_at.getTime() - KIOSK_OPENS_BEFORE_MS && now < s.ends_at.getTime(),
      );
      if (open.length !== 1) {
        throw new DomainError('kiosk.code-not-open', 'no session with this code is open for check-in now: check the code on the room screen', 422);
      }
      return this.checkInWith(manager, open[0]!.session_id, patientId, new Date(now), 'kiosk', principal.subject, requestId);
    });
  }

  /** A correction: the record's new state with a reason, revision + 1, audited; every earlier version stays. */
  correct(recordId: string, body: { status?: AttendanceStatus | undefined; checkInAt?: string | undefined; checkOutAt?: string | undefined; reason: string }) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const existing = await findRecord(manager, recordId);
      if (!existing) throw recordNotFound(recordId);
      const seat = await loadSeat(manager, existing.sessionId, existing.patientId).catch(async (error: unknown) => {
        // A seat released after the session (a transfer) does not stop a correction of what happened.
        if (error instanceof DomainError && error.code === 'attendance.not-on-roster') {
          const session = await loadSession(manager, existing.sessionId, true);
          return { session, patientId: existing.patientId, enrolmentId: existing.enrolmentId, episodeId: existing.episodeId, programId: existing.programId };
        }
        throw error;
      });
      const status = body.status ?? existing.status;
      const absent = isAbsence(status);
      const checkInAt = absent ? null : new Date(body.checkInAt ?? existing.checkInAt ?? seat.session.starts_at.toISOString());
      const checkOutAt = absent ? null : body.checkOutAt ? new Date(body.checkOutAt) : existing.checkOutAt ? new Date(existing.checkOutAt) : null;
      if (checkInAt) requireNearSession(seat.session, checkInAt, 'the check-in');
      if (checkOutAt) requireNearSession(seat.session, checkOutAt, 'the check-out');
      if (checkInAt && checkOutAt && checkOutAt.getTime() < checkInAt.getTime()) throw checkOutBeforeCheckIn();
      await this.audit.record(
        manager,
        { principal, requestId },
        { action: 'update', resource: `attendance:${recordId}`, patientId: existing.patientId, siteId: existing.siteId, reason: body.reason },
      );
      return writeRecord(manager, this.outbox, {
        seat,
        intervals: checkInAt ? [{ from: checkInAt, to: checkOutAt }] : [],
        ...(absent ? { absence: status } : {}),
        // A status set by hand wins over the one the times give (a clinician knows why the patient left).
        ...(body.status && !absent ? { statusOverride: body.status } : {}),
        checkInAt,
        checkOutAt,
        source: 'correction',
        change: 'correction',
        actor: principal.subject,
        reason: body.reason,
        correlationId: requestId,
      });
    });
  }
}
