/*
 * The intake service's pure domain: no framework, database, broker or I/O. Expected outcomes are returned as
 * values (`Result`), each error with a code and a message an intake coordinator can act on.
 */
export * from './shared';
export * from './referral';
export * from './repeat-caller';
export * from './pre-screen';
export * from './consent';
export * from './assessment';
export * from './waitlist';
export * from './capacity';
