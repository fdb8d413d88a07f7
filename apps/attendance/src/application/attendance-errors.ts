import { DomainError, conflict, notFound } from '@iop/platform';

export const sessionNotFound = (sessionId: string) => notFound('session.not-found', `no session ${sessionId} at your sites`);
export const recordNotFound = (recordId: string) => notFound('attendance.not-found', `no attendance record ${recordId} at your sites`);
export const notOnRoster = (sessionId: string, patientId: string) =>
  new DomainError('attendance.not-on-roster', `patient ${patientId} holds no seat in session ${sessionId}: book the seat in scheduling first`, 422);
export const sessionCancelled = (sessionId: string) => conflict('session.cancelled', `session ${sessionId} was cancelled: nobody attends it`);
export const alreadyRecorded = (recordId: string) =>
  conflict('attendance.already-recorded', `attendance is already recorded (record ${recordId}): correct it with POST /attendance/${recordId}/corrections`);
export const outsideSession = (what: string) =>
  new DomainError('attendance.outside-session', `${what} is outside the session's window (from an hour before its start to an hour after its end)`, 422);
export const checkOutBeforeCheckIn = () => new DomainError('attendance.check-out-before-check-in', 'the check-out is before the check-in', 422);
export const notCheckedIn = (patientId: string) => conflict('attendance.not-checked-in', `patient ${patientId} has not checked in to this session`);
export const alreadyCheckedOut = (patientId: string) =>
  conflict('attendance.already-checked-out', `patient ${patientId} has already checked out: correct the record to change the time`);
export const patientDischarged = (patientId: string, dischargedOn: string, sessionDate: string) =>
  conflict(
    'attendance.patient-discharged',
    `patient ${patientId} was discharged on ${dischargedOn}: the session on ${sessionDate} is after the discharge, so attendance cannot be recorded for it in that episode`,
  );
