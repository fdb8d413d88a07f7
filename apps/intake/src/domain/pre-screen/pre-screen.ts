import { assertNever, err, ok, type Result } from '../shared';
import { PRE_SCREEN_QUESTIONS, type PreScreenAnswers, type PreScreenQuestion, type PreScreenQuestionId } from './pre-screen-questions';

export type PreScreenRouting = 'proceed-to-assessment' | 'withdrawal-management-first' | 'higher-level-of-care-first';

export const PRE_SCREEN_ROUTING_LABELS: Readonly<Record<PreScreenRouting, string>> = {
  'proceed-to-assessment': 'Proceed to assessment',
  'withdrawal-management-first': 'Withdrawal management (detox) first',
  'higher-level-of-care-first': 'Higher level of care (24-hour supervision) first',
};

export type SafetyRiskLevel = 'none' | 'low' | 'moderate' | 'high';

export interface RoutingReason {
  readonly routing: Exclude<PreScreenRouting, 'proceed-to-assessment'>;
  readonly text: string;
}

export interface SafetyScreen {
  readonly riskLevel: SafetyRiskLevel;
  /**
   * True on any positive answer. The application layer raises the urgent event and a clinician must follow up
   * at once; nothing else in intake is blocked by it.
   */
  readonly urgentFollowUpRequired: boolean;
  readonly positiveAnswers: readonly PreScreenQuestionId[];
  readonly summary: string;
}

export interface PreScreenOutcome {
  readonly routing: PreScreenRouting;
  readonly reasons: readonly RoutingReason[];
  readonly safety: SafetyScreen;
}

export interface UnansweredQuestion {
  readonly questionId: PreScreenQuestionId;
  readonly text: string;
}

export interface PreScreenIncomplete {
  readonly code: 'pre-screen.unanswered';
  readonly message: string;
  readonly unanswered: readonly UnansweredQuestion[];
}

const HEAVY_DAILY_USE: readonly { readonly id: PreScreenQuestionId; readonly substance: string }[] = [
  { id: 'heavy-daily-alcohol', substance: 'alcohol' },
  { id: 'heavy-daily-benzodiazepines', substance: 'benzodiazepines' },
  { id: 'heavy-daily-opioids', substance: 'opioids' },
];

const WITHDRAWAL_RISK: readonly { readonly id: PreScreenQuestionId; readonly finding: string }[] = [
  { id: 'severe-withdrawal-history', finding: 'a history of severe withdrawal' },
  { id: 'withdrawal-seizures', finding: 'a history of withdrawal seizures' },
  { id: 'current-withdrawal-symptoms', finding: 'withdrawal symptoms now' },
];

const NEEDS_SUPERVISION: readonly { readonly id: PreScreenQuestionId; readonly text: string }[] = [
  { id: 'unable-to-keep-self-safe', text: 'Unable to keep themself safe at home: needs 24-hour supervision.' },
  { id: 'severe-psychosis', text: 'Severe psychotic symptoms stop them caring for themself: needs 24-hour care.' },
  { id: 'medically-unstable', text: 'Medically unstable: needs medical care before an outpatient programme.' },
];

/*
 * Risk levels follow the triage commonly used with the C-SSRS screen (check against the Columbia guidance):
 * intent, a plan, or behaviour in the past three months is high; thinking about a method or behaviour longer
 * ago is moderate; a wish to be dead or thoughts without a method is low. Not being able to keep oneself safe
 * is treated as high too: it is the caller saying the risk is imminent.
 */
const SAFETY_LEVEL_BY_ANSWER: readonly { readonly id: PreScreenQuestionId; readonly level: SafetyRiskLevel }[] = [
  { id: 'cssrs-wish-to-be-dead', level: 'low' },
  { id: 'cssrs-suicidal-thoughts', level: 'low' },
  { id: 'cssrs-method', level: 'moderate' },
  { id: 'cssrs-behaviour-lifetime', level: 'moderate' },
  { id: 'cssrs-intent', level: 'high' },
  { id: 'cssrs-plan', level: 'high' },
  { id: 'cssrs-behaviour-past-3-months', level: 'high' },
  { id: 'unable-to-keep-self-safe', level: 'high' },
];

const LEVEL_ORDER: readonly SafetyRiskLevel[] = ['none', 'low', 'moderate', 'high'];

function isAsked(question: PreScreenQuestion, answers: PreScreenAnswers): boolean {
  return question.askedAfterYesTo === undefined || answers[question.askedAfterYesTo] === true;
}

function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

function safetySummary(level: SafetyRiskLevel): string {
  switch (level) {
    case 'none':
      return 'No positive answers on the suicide-risk screen.';
    case 'low':
      return 'Low risk on the suicide-risk screen: urgent safety follow-up by a clinician required.';
    case 'moderate':
      return 'Moderate risk on the suicide-risk screen: urgent safety follow-up by a clinician required.';
    case 'high':
      return 'High risk on the suicide-risk screen: urgent safety follow-up by a clinician required now.';
    default:
      return assertNever(level, 'safety risk level');
  }
}

function screenSafety(answers: PreScreenAnswers): SafetyScreen {
  // Answers to skipped questions are still honoured: a yes is never discarded because the form order was odd.
  const positive = SAFETY_LEVEL_BY_ANSWER.filter((item) => answers[item.id] === true);
  const riskLevel = positive.reduce<SafetyRiskLevel>(
    (highest, item) => (LEVEL_ORDER.indexOf(item.level) > LEVEL_ORDER.indexOf(highest) ? item.level : highest),
    'none',
  );
  return {
    riskLevel,
    urgentFollowUpRequired: positive.length > 0,
    positiveAnswers: positive.map((item) => item.id),
    summary: safetySummary(riskLevel),
  };
}

function withdrawalReasons(answers: PreScreenAnswers): RoutingReason[] {
  const substances = HEAVY_DAILY_USE.filter((item) => answers[item.id] === true).map((item) => item.substance);
  const findings = WITHDRAWAL_RISK.filter((item) => answers[item.id] === true).map((item) => item.finding);
  if (substances.length === 0 || findings.length === 0) return [];
  return [
    {
      routing: 'withdrawal-management-first',
      text:
        `Daily use of ${joinList(substances)} in the past two weeks with ${joinList(findings)}: ` +
        'refer for medically supervised withdrawal first, then reassess for this programme.',
    },
  ];
}

/**
 * Scores the first-call pre-screen. Every question that was due must be answered (C-SSRS follow-ups only after
 * a yes), so that "no answer" is never read as "no".
 */
export function evaluatePreScreen(answers: PreScreenAnswers): Result<PreScreenOutcome, PreScreenIncomplete> {
  const unanswered = PRE_SCREEN_QUESTIONS.filter((q) => isAsked(q, answers) && answers[q.id] === undefined).map((q) => ({ questionId: q.id, text: q.text }));
  if (unanswered.length > 0) {
    return err({
      code: 'pre-screen.unanswered',
      message: `${unanswered.length} pre-screen question${unanswered.length === 1 ? '' : 's'} still need an answer.`,
      unanswered,
    });
  }

  const supervision: RoutingReason[] = NEEDS_SUPERVISION.filter((item) => answers[item.id] === true).map((item) => ({
    routing: 'higher-level-of-care-first',
    text: item.text,
  }));
  const withdrawal = withdrawalReasons(answers);
  // Supervision outranks withdrawal: someone medically unstable or unsafe needs that addressed first, and a
  // 24-hour setting can manage withdrawal as well.
  const routing: PreScreenRouting =
    supervision.length > 0 ? 'higher-level-of-care-first' : withdrawal.length > 0 ? 'withdrawal-management-first' : 'proceed-to-assessment';
  return ok({ routing, reasons: [...supervision, ...withdrawal], safety: screenSafety(answers) });
}
