export { PRE_SCREEN_SECTIONS, PRE_SCREEN_QUESTION_IDS, PRE_SCREEN_QUESTIONS, preScreenQuestion } from './pre-screen-questions';
export type { PreScreenSection, PreScreenQuestionId, PreScreenQuestion, PreScreenAnswers } from './pre-screen-questions';
export { evaluatePreScreen, PRE_SCREEN_ROUTING_LABELS } from './pre-screen';
export type { PreScreenRouting, SafetyRiskLevel, RoutingReason, SafetyScreen, PreScreenOutcome, UnansweredQuestion, PreScreenIncomplete } from './pre-screen';
