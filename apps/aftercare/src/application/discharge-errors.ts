import { DomainError, conflict, notFound } from '@iop/platform';
import type { Refusal } from '../domain/discharge';

export const episodeNotFound = (episodeId: string) => notFound('episode.not-found', `no episode ${episodeId} at your sites`);
export const dischargeNotFound = (dischargeId: string) => notFound('discharge.not-found', `no discharge ${dischargeId} at your sites`);
export const episodeNotActive = (episodeId: string, dischargedOn: string | null) =>
  conflict('episode.not-active', `episode ${episodeId} is not active: it was discharged${dischargedOn ? ` on ${dischargedOn}` : ''}`);
export const draftExists = (episodeId: string, dischargeId: string, status: string) =>
  conflict(
    'discharge.exists',
    status === 'draft'
      ? `episode ${episodeId} already has a draft discharge ${dischargeId}: edit it with PATCH /discharges/${dischargeId}`
      : `episode ${episodeId} was discharged (${dischargeId}): amend it with POST /discharges/${dischargeId}/amendments`,
  );
export const alreadySigned = (dischargeId: string) =>
  conflict(
    'discharge.signed',
    `discharge ${dischargeId} is signed and cannot be edited or signed again: amend it with POST /discharges/${dischargeId}/amendments`,
  );
export const notSigned = (dischargeId: string) =>
  conflict('discharge.not-signed', `discharge ${dischargeId} is a draft: edit it with PATCH /discharges/${dischargeId}; only a signed discharge is amended`);
export const reasonUnknown = (type: string, code: string, allowed: readonly string[]) =>
  new DomainError('discharge.reason-unknown', `reason ${code} is not a reason for a ${type} discharge; use one of: ${allowed.join(', ')}`, 422);
export const cursorInvalid = () =>
  new DomainError('discharge.cursor-invalid', 'the cursor is not one this list gave out: pass nextCursor from a previous page unchanged', 400);

/** A pure rule's refusal, as the HTTP problem it answers. */
export const refused = (r: Refusal) => new DomainError(r.code, r.message, r.status);
