export {
  REFERRAL_SOURCES,
  EVENT_REFERRAL_SOURCES,
  CALLER_REFERRAL_SOURCES,
  REFERRAL_SOURCE_LABELS,
  URGENCY_LEVELS,
  URGENCY_LABELS,
  REFERRAL_PROGRESSION,
  REFERRAL_STAGE_LABELS,
  CLOSE_REASON_LABELS,
  suggestedUrgency,
  isOpenStage,
} from './referral';
export type { ReferralSource, Urgency, ProgressStage, OpenStage, ReferralStage, CloseReason, Closure, Referral } from './referral';
export { REFERRAL_EVENT_TYPES } from './referral-events';
export type { ReferralEvent, ReferralEventType } from './referral-events';
export { receiveReferral, transitionReferral, REFERRAL_STEP_RULES } from './referral-lifecycle';
export type { ReferralErrorCode, ReferralError, ReferralChange, NewReferral, ReferralCommand, ReferralCommandType } from './referral-lifecycle';
