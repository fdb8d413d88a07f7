import { err, ok, type DomainError, type Result } from '../shared';

export interface SiteCapacity {
  /** Places the site's programme can hold at once. */
  readonly capacity: number;
  readonly activeAdmissions: number;
}

export type CapacityErrorCode = 'capacity.full' | 'capacity.invalid-count';

/**
 * The rule only. Two coordinators admitting at once could both pass it; the database enforces it atomically
 * (e.g. a conditional insert or a counter with a check constraint) when the admission is written.
 */
export function canAdmitOneMore(site: SiteCapacity): Result<{ readonly placesLeftAfterAdmission: number }, DomainError<CapacityErrorCode>> {
  const { capacity, activeAdmissions } = site;
  if (!Number.isInteger(capacity) || capacity < 0 || !Number.isInteger(activeAdmissions) || activeAdmissions < 0) {
    return err({
      code: 'capacity.invalid-count',
      message: `Capacity and active admissions must be whole numbers of zero or more (got ${capacity} and ${activeAdmissions}).`,
    });
  }
  if (activeAdmissions >= capacity) {
    const over = activeAdmissions > capacity ? ` (${activeAdmissions - capacity} over capacity)` : '';
    return err({
      code: 'capacity.full',
      message: `The site is full: ${activeAdmissions} of ${capacity} places taken${over}. Add the patient to the waitlist.`,
    });
  }
  return ok({ placesLeftAfterAdmission: capacity - activeAdmissions - 1 });
}
