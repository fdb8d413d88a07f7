/*
 * Pure rules shared by several services: no framework, database, broker or I/O. A rule lives here when two
 * services must answer the same question the same way (e.g. may this SUD record be disclosed?).
 */
export * from './consent/consent-terms';
export * from './consent/disclosure-decision';
export * from './consent/redisclosure-notice';
export * from './result';
export * from './measures/screening-measures';
export * from './measures/brief-addiction-monitor';
export * from './aggregates/small-cell-suppression';
