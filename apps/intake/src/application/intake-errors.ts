import { HttpStatus } from '@nestjs/common';
import { DomainError } from '@iop/platform';

/**
 * Every expected refusal of the intake service and its HTTP status, in one place. Codes come from the
 * domain (`referral.out-of-order`, `consent.invalid`...) or from the application (`admission.*`).
 */
const STATUS_BY_CODE: Readonly<Record<string, HttpStatus>> = {
  'referral.unknown': HttpStatus.NOT_FOUND,
  'patient.unknown': HttpStatus.NOT_FOUND,
  'consent.unknown': HttpStatus.NOT_FOUND,
  'waitlist.unknown': HttpStatus.NOT_FOUND,
  'task.unknown': HttpStatus.NOT_FOUND,
  'referral.cursor-invalid': HttpStatus.BAD_REQUEST,
  'referral.out-of-order': HttpStatus.CONFLICT,
  'referral.already-done': HttpStatus.CONFLICT,
  'referral.closed': HttpStatus.CONFLICT,
  'referral.admitted': HttpStatus.CONFLICT,
  'consent.already-revoked': HttpStatus.CONFLICT,
  'assessment.not-recorded': HttpStatus.CONFLICT,
  'admission.awaiting-coverage': HttpStatus.CONFLICT,
  'admission.site-full': HttpStatus.CONFLICT,
  'admission.nothing-to-cancel': HttpStatus.CONFLICT,
  'waitlist.not-on-list': HttpStatus.NOT_FOUND,
  'waitlist.no-one-to-offer': HttpStatus.CONFLICT,
  'waitlist.no-pending-offer': HttpStatus.CONFLICT,
  'task.already-done': HttpStatus.CONFLICT,
};

export interface Refusal {
  readonly code: string;
  readonly message: string;
}

/** A domain refusal as the HTTP error the platform's filter renders; unknown codes are 422 (the request cannot be applied). */
export function refuse(refusal: Refusal, details?: readonly string[]): DomainError {
  const message = details && details.length > 0 ? `${refusal.message} ${details.join(' ')}` : refusal.message;
  return new DomainError(refusal.code, message, STATUS_BY_CODE[refusal.code] ?? HttpStatus.UNPROCESSABLE_ENTITY);
}

export const referralNotFound = (referralId: string) =>
  refuse({ code: 'referral.unknown', message: `there is no referral ${referralId} at the sites you can see` });

export const patientNotFound = (patientId: string) => refuse({ code: 'patient.unknown', message: `there is no patient ${patientId} at the sites you can see` });

export const cursorInvalid = () =>
  refuse({ code: 'referral.cursor-invalid', message: 'the cursor is not one this list gave out: pass nextCursor from a previous page unchanged' });
