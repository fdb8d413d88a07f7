import { DomainError, conflict, notFound } from '@iop/platform';

export const dischargeNotFound = (episodeId: string) =>
  notFound('discharge.not-found', `no discharged episode ${episodeId} at your sites: follow-ups, plans and check-ins start from a signed discharge`);
export const followUpNotFound = (followUpId: string) => notFound('follow-up.not-found', `no follow-up ${followUpId} at your sites`);
export const followUpClosed = (followUpId: string, state: string) =>
  conflict('follow-up.closed', `follow-up ${followUpId} is already ${state}: record a new check-in instead`);
export const noAttemptYet = (followUpId: string) =>
  new DomainError('follow-up.no-attempt', `follow-up ${followUpId} has no contact attempt: record the attempts before closing it as unreachable`, 422);
export const contactOutOfRange = (what: string) => new DomainError('follow-up.contact-out-of-range', what, 422);
export const planVersionConflict = (episodeId: string, current: number, expected: number) =>
  conflict('plan.version-conflict', `the aftercare plan of episode ${episodeId} is at version ${current}, not ${expected}: read it again and resend`);
export const planNotFound = (episodeId: string) => notFound('plan.not-found', `episode ${episodeId} has no aftercare plan yet`);
export const referralExists = (followUpId: string, referralId: string) =>
  conflict('readmission.already-referred', `follow-up ${followUpId} already sent readmission referral ${referralId}`);
export const followUpCursorInvalid = () =>
  new DomainError('follow-up.cursor-invalid', 'the cursor is not one this list gave out: pass nextCursor from a previous page unchanged', 400);
