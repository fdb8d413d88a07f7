export { hasWaitlistPriority, orderWaitlist, waitlistPosition, nextWaitlistOffer } from './waitlist';
export type { WaitlistOffer, WaitlistEntry, WaitlistPosition } from './waitlist';
