import { err, ok, type DomainError, type Result } from '../shared';
import type { ReferralSource, Urgency } from '../referral';

export type WaitlistOffer =
  { readonly status: 'pending'; readonly offeredAt: Date } | { readonly status: 'declined'; readonly offeredAt: Date; readonly declinedAt: Date };

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
 * Urgent cases, and people stepping down from inpatient care (for whom a gap in care is the relapse risk),
 * go ahead of everyone else; within each group, first come first served.
 */
export function hasWaitlistPriority(entry: WaitlistEntry): boolean {
  return entry.urgency === 'urgent' || entry.referralSource === 'inpatient-step-down';
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
 * Who a freed place goes to: the head of the list, skipping anyone already holding an offer that is pending
 * (one place per person at a time) or who declined.
 */
export function nextWaitlistOffer(entries: readonly WaitlistEntry[]): Result<WaitlistEntry, DomainError<'waitlist.no-one-to-offer'>> {
  const ordered = orderWaitlist(entries);
  const next = ordered.find((e) => e.offer === undefined);
  if (next) return ok(next);
  if (ordered.length === 0) return err({ code: 'waitlist.no-one-to-offer', message: 'The waitlist is empty.' });
  const pending = ordered.filter((e) => e.offer?.status === 'pending').length;
  const declined = ordered.filter((e) => e.offer?.status === 'declined').length;
  return err({
    code: 'waitlist.no-one-to-offer',
    message: `No one left to offer this place to: ${pending} with an offer pending, ${declined} declined.`,
  });
}
