import { evaluatePreScreen, type PreScreenOutcome } from './pre-screen';
import type { PreScreenAnswers } from './pre-screen-questions';

/** Every always-asked question answered "no". */
function allNo(overrides: PreScreenAnswers = {}): PreScreenAnswers {
  return {
    'heavy-daily-alcohol': false,
    'heavy-daily-benzodiazepines': false,
    'heavy-daily-opioids': false,
    'severe-withdrawal-history': false,
    'withdrawal-seizures': false,
    'current-withdrawal-symptoms': false,
    'unable-to-keep-self-safe': false,
    'severe-psychosis': false,
    'medically-unstable': false,
    'cssrs-wish-to-be-dead': false,
    'cssrs-suicidal-thoughts': false,
    'cssrs-behaviour-lifetime': false,
    ...overrides,
  };
}

const thoughtsFollowUps: PreScreenAnswers = {
  'cssrs-suicidal-thoughts': true,
  'cssrs-method': false,
  'cssrs-intent': false,
  'cssrs-plan': false,
};

function outcome(answers: PreScreenAnswers): PreScreenOutcome {
  const result = evaluatePreScreen(answers);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('pre-screen', () => {
  it('sends someone with no risk findings on to assessment, with no safety follow-up', () => {
    expect(outcome(allNo())).toEqual({
      routing: 'proceed-to-assessment',
      reasons: [],
      safety: {
        riskLevel: 'none',
        urgentFollowUpRequired: false,
        positiveAnswers: [],
        summary: 'No positive answers on the suicide-risk screen.',
      },
    });
  });

  it('sends daily drinking with past withdrawal seizures to withdrawal management first, saying why', () => {
    const result = outcome(allNo({ 'heavy-daily-alcohol': true, 'withdrawal-seizures': true }));
    expect(result.routing).toBe('withdrawal-management-first');
    expect(result.reasons.map((r) => r.text)).toEqual([
      'Daily use of alcohol in the past two weeks with a history of withdrawal seizures: ' +
        'refer for medically supervised withdrawal first, then reassess for this programme.',
    ]);
  });

  it('names every substance and finding behind a withdrawal referral', () => {
    const result = outcome(
      allNo({
        'heavy-daily-benzodiazepines': true,
        'heavy-daily-opioids': true,
        'current-withdrawal-symptoms': true,
        'severe-withdrawal-history': true,
      }),
    );
    expect(result.reasons[0]?.text).toContain(
      'Daily use of benzodiazepines and opioids in the past two weeks with a history of severe withdrawal and withdrawal symptoms now',
    );
  });

  it('does not send daily use without any withdrawal history or symptoms to detox', () => {
    expect(outcome(allNo({ 'heavy-daily-opioids': true })).routing).toBe('proceed-to-assessment');
  });

  it('sends someone medically unstable to a higher level of care, ahead of withdrawal management', () => {
    const result = outcome(allNo({ 'medically-unstable': true, 'heavy-daily-alcohol': true, 'current-withdrawal-symptoms': true }));
    expect(result.routing).toBe('higher-level-of-care-first');
    expect(result.reasons.map((r) => r.routing)).toEqual(['higher-level-of-care-first', 'withdrawal-management-first']);
  });

  it('marks a wish to be dead as low risk needing urgent safety follow-up', () => {
    const result = outcome(allNo({ 'cssrs-wish-to-be-dead': true }));
    expect(result.safety).toMatchObject({ riskLevel: 'low', urgentFollowUpRequired: true });
    expect(result.safety.summary).toContain('urgent safety follow-up');
    expect(result.routing).toBe('proceed-to-assessment');
  });

  it('marks thoughts with a method as moderate risk', () => {
    expect(outcome(allNo({ ...thoughtsFollowUps, 'cssrs-method': true })).safety.riskLevel).toBe('moderate');
  });

  it('marks intent or a plan as high risk', () => {
    expect(outcome(allNo({ ...thoughtsFollowUps, 'cssrs-intent': true })).safety.riskLevel).toBe('high');
    expect(outcome(allNo({ ...thoughtsFollowUps, 'cssrs-plan': true })).safety.riskLevel).toBe('high');
  });

  it('marks suicidal behaviour in the past three months as high risk, and longer ago as moderate', () => {
    const recent = allNo({ 'cssrs-behaviour-lifetime': true, 'cssrs-behaviour-past-3-months': true });
    const longAgo = allNo({ 'cssrs-behaviour-lifetime': true, 'cssrs-behaviour-past-3-months': false });
    expect(outcome(recent).safety).toMatchObject({
      riskLevel: 'high',
      urgentFollowUpRequired: true,
      positiveAnswers: ['cssrs-behaviour-lifetime', 'cssrs-behaviour-past-3-months'],
    });
    expect(outcome(longAgo).safety).toMatchObject({ riskLevel: 'moderate', urgentFollowUpRequired: true });
  });

  it('treats "unable to keep myself safe" as high risk as well as a reason for 24-hour care', () => {
    const result = outcome(allNo({ 'unable-to-keep-self-safe': true }));
    expect(result.routing).toBe('higher-level-of-care-first');
    expect(result.safety.riskLevel).toBe('high');
  });

  it('asks the method, intent and plan questions only after a yes to suicidal thoughts', () => {
    const result = evaluatePreScreen(allNo({ 'cssrs-suicidal-thoughts': true }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('pre-screen.unanswered');
    expect(result.error.message).toBe('3 pre-screen questions still need an answer.');
    expect(result.error.unanswered.map((q) => q.questionId)).toEqual(['cssrs-method', 'cssrs-intent', 'cssrs-plan']);
  });

  it('never reads a missing answer as "no"', () => {
    const { 'withdrawal-seizures': _omitted, ...rest } = allNo();
    const result = evaluatePreScreen(rest);
    expect(result).toMatchObject({
      ok: false,
      error: {
        unanswered: [
          {
            questionId: 'withdrawal-seizures',
            text: 'Have you ever had a seizure when stopping or cutting down alcohol or drugs?',
          },
        ],
      },
    });
  });

  it('still honours a yes given to a follow-up question that was not due', () => {
    expect(outcome(allNo({ 'cssrs-plan': true })).safety.riskLevel).toBe('high');
  });
});
