import type { BenefitSummary, MemberBenefitSummary, Rejection, ServiceTypeCode } from '../domain/eligibility';

export type ProgramType = 'substance-use' | 'mental-health' | 'co-occurring';

/**
 * What the 270 asks about. A mental-health programme does not ask about substance use: the question itself would
 * tell the payer the patient seeks substance use treatment (42 CFR Part 2).
 */
export function serviceTypesFor(program: ProgramType): ServiceTypeCode[] {
  switch (program) {
    case 'mental-health':
      return ['30', 'MH', 'A8', 'CF'];
    case 'substance-use':
      return ['30', 'AI', 'CH'];
    case 'co-occurring':
      return ['30', 'MH', 'AI', 'A8', 'CF', 'CH'];
  }
}

const programTypes = (program: ProgramType) => serviceTypesFor(program).filter((c) => c !== '30');

export type RejectionReason = 'coverage-inactive' | 'service-not-covered' | 'member-not-found' | 'out-of-network-not-covered' | 'other';
export type UnansweredReason = 'payer-unavailable' | 'payer-error' | 'not-offered-electronically';

export interface VerifiedOutcome {
  readonly kind: 'verified';
  readonly authorizationRequired: boolean;
  readonly carveOut: boolean;
  readonly messages: readonly string[];
}
export interface RejectedOutcome {
  readonly kind: 'rejected';
  readonly reason: RejectionReason;
  readonly messages: readonly string[];
}
export interface UnansweredOutcome {
  readonly kind: 'unanswered';
  readonly reason: UnansweredReason;
  readonly messages: readonly string[];
}
export type EligibilityOutcome = VerifiedOutcome | RejectedOutcome | UnansweredOutcome;

const NOT_FOUND_CODES = new Set(['72', '73', '75', '76', '58', '64', '65', '67', '71']);
const TRY_LATER_CODES = new Set(['42', '79', '80']);
/** The payer will not answer this clinic or provider electronically (not enrolled, not recognised). */
const PROVIDER_CODES = new Set(['41', '43', '44', '45', '46', '47', '48', '49', '50', '51', '97']);
/** Our inquiry itself was wrong: missing data, input errors, a service date the payer will not answer for. */
const INQUIRY_CODES = new Set(['15', '33', '57', '62', '63']);

/**
 * The kinds of coordinator task a verification can leave: the phone queue is the coordinator's work list, and each
 * task says what to do. A rejection the payer sent (AAA) always leaves one, so no rejection is lost.
 */
export type CoordinatorTaskKind = 'retry-later' | 'clinic-enrolment' | 'correct-member-details' | 'correct-inquiry' | 'verify-by-phone';

export interface CoordinatorTask {
  readonly kind: CoordinatorTaskKind;
  readonly action: string;
  /** The AAA03 codes it comes from. */
  readonly reasonCodes: readonly string[];
}

const TASK_ORDER: readonly [CoordinatorTaskKind, (code: string) => boolean][] = [
  ['retry-later', (code) => TRY_LATER_CODES.has(code)],
  ['clinic-enrolment', (code) => PROVIDER_CODES.has(code)],
  ['correct-member-details', (code) => NOT_FOUND_CODES.has(code)],
  ['correct-inquiry', (code) => INQUIRY_CODES.has(code)],
  ['verify-by-phone', () => true],
];

/** The task a set of payer rejections calls for; undefined when the payer rejected nothing. */
export function coordinatorTaskFor(rejections: readonly Rejection[]): CoordinatorTask | undefined {
  if (rejections.length === 0) return undefined;
  for (const [kind, matches] of TASK_ORDER) {
    const matching = rejections.filter((r) => matches(r.reasonCode));
    if (matching.length === 0) continue;
    const action = matching.map((r) => (r.followUpLabel === undefined ? r.coordinatorMessage : `${r.coordinatorMessage} (${r.followUpLabel})`)).join('; ');
    return { kind, action, reasonCodes: matching.map((r) => r.reasonCode) };
  }
  return undefined;
}

/**
 * The rejections that decide what the coordinator is asked to do: the payer's or the clinic's, then the patient's
 * (in their benefits too, and in lines not understood). None is left out: each is named in the task.
 */
export function rejectionsFor(summary: BenefitSummary, dependent: boolean): readonly Rejection[] {
  return [...summary.rejections, ...(patientMember(summary, dependent)?.rejections ?? [])];
}

/** The member the patient is: the dependent loop when the patient is the subscriber's dependent. */
export function patientMember(summary: BenefitSummary, dependent: boolean): MemberBenefitSummary | undefined {
  return summary.members.find((m) => m.role === (dependent ? 'dependent' : 'subscriber')) ?? (dependent ? undefined : summary.members[0]);
}

/** Lines the reader kept as sent without understanding them: the coordinator reads them in the raw 271. */
function notUnderstoodMessage(summary: BenefitSummary, member: MemberBenefitSummary): string[] {
  const lines = [...summary.notUnderstood, ...member.notUnderstood];
  if (lines.length === 0) return [];
  const segments = lines.map((l) => l.segmentNumber).join(', ');
  return [`the payer's response has ${lines.length} line(s) this system does not understand (segment ${segments}): read them in the raw response`];
}

/** Reads the coordinator's summary into the saga's answer: verified, rejected (with why), or still open. */
export function outcomeOf(summary: BenefitSummary, dependent: boolean, program: ProgramType): EligibilityOutcome {
  if (summary.rejections.length > 0) {
    const messages = summary.rejections.map((r) => r.coordinatorMessage);
    const later = summary.rejections.some((r) => TRY_LATER_CODES.has(r.reasonCode));
    return { kind: 'unanswered', reason: later ? 'payer-unavailable' : 'payer-error', messages };
  }
  const member = patientMember(summary, dependent);
  if (!member) return { kind: 'unanswered', reason: 'payer-error', messages: ['the payer answered without the patient in the response: verify by phone'] };
  if (member.rejections.length > 0) {
    const messages = member.rejections.map((r) => r.coordinatorMessage);
    const codes = member.rejections.map((r) => r.reasonCode);
    if (codes.some((c) => TRY_LATER_CODES.has(c))) return { kind: 'unanswered', reason: 'payer-unavailable', messages };
    if (codes.some((c) => NOT_FOUND_CODES.has(c))) return { kind: 'rejected', reason: 'member-not-found', messages };
    // The payer refused our inquiry or our clinic, not the patient's coverage: the question is still open.
    if (codes.some((c) => PROVIDER_CODES.has(c) || INQUIRY_CODES.has(c))) return { kind: 'unanswered', reason: 'payer-error', messages };
    return { kind: 'rejected', reason: 'other', messages };
  }
  switch (member.coverage.status) {
    case 'inactive':
      return { kind: 'rejected', reason: 'coverage-inactive', messages: [member.coverage.explanation] };
    case 'unknown':
      return { kind: 'unanswered', reason: 'payer-error', messages: [member.coverage.explanation] };
    case 'active':
      break;
  }
  const wanted = programTypes(program);
  const services = member.serviceTypes.filter((s) => wanted.includes(s.code));
  const carveOuts = member.carveOuts;
  if (carveOuts.length === 0 && services.length > 0 && services.every((s) => s.coverage === 'not-covered' || s.inNetwork.nonCovered)) {
    return { kind: 'rejected', reason: 'service-not-covered', messages: services.flatMap((s) => s.inNetwork.messages) };
  }
  return {
    kind: 'verified',
    authorizationRequired: services.some((s) => s.inNetwork.authorization === 'required'),
    carveOut: carveOuts.length > 0,
    messages: [
      member.coverage.explanation,
      ...notUnderstoodMessage(summary, member),
      ...carveOuts.map((c) => c.message),
      ...member.planMessages,
      ...services.flatMap((s) => s.inNetwork.messages),
    ],
  };
}
