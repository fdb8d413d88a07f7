import { assertNever } from '../shared';

/** Where a referral a coordinator records comes from. */
export const CALLER_REFERRAL_SOURCES = [
  'self',
  'family',
  'hospital-ed',
  'detox',
  'inpatient-step-down',
  'court',
  'employer-assistance-programme',
  'other-provider',
] as const;

/** Sources only an event creates (a discharge to another site of the network, aftercare's readmission referral), never a caller. */
export const EVENT_REFERRAL_SOURCES = ['transfer', 'aftercare'] as const;

export const REFERRAL_SOURCES = [...CALLER_REFERRAL_SOURCES, ...EVENT_REFERRAL_SOURCES] as const;
export type ReferralSource = (typeof REFERRAL_SOURCES)[number];

export const REFERRAL_SOURCE_LABELS: Readonly<Record<ReferralSource, string>> = {
  self: 'Self-referral',
  family: 'Family member (24/7 line)',
  'hospital-ed': 'Hospital or emergency department',
  detox: 'Detox / withdrawal management',
  'inpatient-step-down': 'Inpatient or residential step-down',
  court: 'Court or probation',
  'employer-assistance-programme': 'Employee assistance programme',
  'other-provider': 'Other provider',
  transfer: 'Transfer from another site of the network',
  aftercare: 'Aftercare follow-up (readmission)',
};

export const URGENCY_LEVELS = ['routine', 'expedited', 'urgent'] as const;
export type Urgency = (typeof URGENCY_LEVELS)[number];

export const URGENCY_LABELS: Readonly<Record<Urgency, string>> = {
  routine: 'Routine',
  expedited: 'Expedited: leaving another level of care',
  urgent: 'Urgent: same-day contact',
};

/**
 * The default a coordinator starts from; they may change it. People leaving detox, hospital or inpatient care
 * have lost tolerance and lost structure at the same time, which is when relapse and overdose risk peak, so a
 * gap between levels of care is the thing to avoid.
 */
export function suggestedUrgency(source: ReferralSource): Urgency {
  switch (source) {
    case 'detox':
    case 'hospital-ed':
    case 'inpatient-step-down':
    case 'transfer':
    case 'aftercare':
      return 'expedited';
    case 'self':
    case 'family':
    case 'court':
    case 'employer-assistance-programme':
    case 'other-provider':
      return 'routine';
    default:
      return assertNever(source, 'referral source');
  }
}

/** The path a referral walks, in order; `closed` can be reached from any stage before `admitted`. */
export const REFERRAL_PROGRESSION = ['new', 'contacted', 'pre-screened', 'assessment-booked', 'assessed', 'admitted'] as const;
export type ProgressStage = (typeof REFERRAL_PROGRESSION)[number];
export type OpenStage = Exclude<ProgressStage, 'admitted'>;
export type ReferralStage = ProgressStage | 'closed';

export const REFERRAL_STAGE_LABELS: Readonly<Record<ReferralStage, string>> = {
  new: 'new',
  contacted: 'contacted',
  'pre-screened': 'pre-screened',
  'assessment-booked': 'assessment booked',
  assessed: 'assessed',
  admitted: 'admitted',
  closed: 'closed',
};

export type CloseReason =
  | { readonly kind: 'referred-elsewhere'; readonly to?: string }
  | { readonly kind: 'declined' }
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'other'; readonly note: string };

export const CLOSE_REASON_LABELS: Readonly<Record<CloseReason['kind'], string>> = {
  'referred-elsewhere': 'referred elsewhere',
  declined: 'declined',
  unreachable: 'unreachable',
  other: 'other',
};

export interface Closure {
  readonly reason: CloseReason;
  readonly closedAt: Date;
  readonly closedAtStage: OpenStage;
}

export interface Referral {
  readonly id: string;
  readonly siteId: string;
  readonly source: ReferralSource;
  /** Who referred: the court, hospital or provider name; free text, never put on an event. */
  readonly sourceDetail?: string;
  readonly urgency: Urgency;
  readonly receivedAt: Date;
  readonly stage: ReferralStage;
  /** When the latest step was recorded; later steps may not be recorded before it. */
  readonly lastChangedAt: Date;
  readonly assessmentAppointmentAt?: Date;
  readonly closure?: Closure;
}

export function isOpenStage(stage: ReferralStage): stage is OpenStage {
  return stage !== 'admitted' && stage !== 'closed';
}
