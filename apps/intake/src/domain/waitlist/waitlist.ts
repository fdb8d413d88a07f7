import { err, ok, type DomainError, type Result } from '../shared';
import type { ReferralSource, Urgency } from '../referral';

/**
 * The latest place offered to a person. `placeFreedAt` says which place: when it became free (a discharge or a
 * capacity increase). A person who declined a place, or let the offer expire, keeps their spot and is offered
 * places freed after that one, never the same place again.
 */
export type WaitlistOffer =
  | { readonly status: 'pending'; readonly offeredAt: Date; readonly placeFreedAt: Date }
  | { readonly status: 'declined'; readonly offeredAt: Date; readonly placeFreedAt: Date; readonly declinedAt: Date }
  | { readonly status: 'expired'; readonly offeredAt: Date; readonly placeFreedAt: Date; readonly expiredAt: Date };

export interface WaitlistEntry {
  readonly entryId: string;
  readonly patientId: string;
  readonly addedAt: Date;
  readonly urgency: Urgency;
  readonly referralSource: ReferralSource;
  /** The latest place offered to this person, if any. */
  readonly offer?: WaitlistOffer;
}

/**
 * Urgent cases, people stepping down from inpatient care, and patients transferred from another site of the network
 * mid-treatment (for both, a gap in care is the relapse risk) go ahead of everyone else; within each group, first
 * come first served.
 */
export function hasWaitlistPriority(entry: WaitlistEntry): boolean {
  return entry.urgency === 'urgent' || entry.referralSource === 'inpatient-step-down' || entry.referralSource === 'transfer';
}

function compareEntries(a: WaitlistEntry, b: WaitlistEntry): number {
  const priority = Number(hasWaitlistPriority(b)) - Number(hasWaitlistPriority(a));
  if (priority !== 0) return priority;
  const arrival = a.addedAt.getTime() - b.addedAt.getTime();
  // Same-millisecond arrivals still need one stable order, or two coordinators could see different heads.
  return arrival !== 0 ? arrival : a.entryId.localeCompare(b.entryId);
}

export function orderWaitlist(entries: readonly WaitlistEntry[]): readonly WaitlistEntry[] {
  return [...entries].sort(compareEntries);
}

export interface WaitlistPosition {
  /** 1-based. */
  readonly position: number;
  readonly of: number;
  readonly hasPriority: boolean;
}

export function waitlistPosition(entries: readonly WaitlistEntry[], patientId: string): Result<WaitlistPosition, DomainError<'waitlist.not-on-list'>> {
  const ordered = orderWaitlist(entries);
  const index = ordered.findIndex((e) => e.patientId === patientId);
  const entry = ordered[index];
  if (index < 0 || !entry) {
    return err({ code: 'waitlist.not-on-list', message: 'This patient is not on the waitlist for this site.' });
  }
  return ok({ position: index + 1, of: ordered.length, hasPriority: hasWaitlistPriority(entry) });
}

/**
 * Who a place goes to: the head of the list among those who can take it. Someone holding a pending offer is
 * skipped (one place per person at a time); someone who declined or let an offer lapse keeps their spot and is
 * offered any place freed after the one they turned down. `placeFreedAt` is when this place became free; without
 * it (a place free for a while, of unknown origin) only people never offered a place are considered.
 */
export function nextWaitlistOffer(entries: readonly WaitlistEntry[], placeFreedAt?: Date): Result<WaitlistEntry, DomainError<'waitlist.no-one-to-offer'>> {
  const ordered = orderWaitlist(entries);
  const next = ordered.find(
    (e) => e.offer === undefined || (e.offer.status !== 'pending' && placeFreedAt !== undefined && e.offer.placeFreedAt.getTime() < placeFreedAt.getTime()),
  );
  if (next) return ok(next);
  if (ordered.length === 0) return err({ code: 'waitlist.no-one-to-offer', message: 'The waitlist is empty.' });
  const pending = ordered.filter((e) => e.offer?.status === 'pending').length;
  const passed = ordered.filter((e) => e.offer !== undefined && e.offer.status !== 'pending').length;
  return err({
    code: 'waitlist.no-one-to-offer',
    message: `No one left to offer this place to: ${pending} with an offer pending, ${passed} who declined it or let it lapse.`,
  });
}
