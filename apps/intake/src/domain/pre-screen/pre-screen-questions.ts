/*
 * The pre-screen asked on the first call, as data so the form, the validation and the docs share one list.
 * The suicide-risk items follow the structure of the C-SSRS screen version (six items, 3-5 only after a yes to 2,
 * behaviour split into lifetime and past three months). The wording is paraphrased: use the Columbia Lighthouse
 * Project's own wording on the live form (check the licence terms and current text).
 */
export const PRE_SCREEN_SECTIONS = ['withdrawal', 'supervision', 'suicide-risk'] as const;
export type PreScreenSection = (typeof PRE_SCREEN_SECTIONS)[number];

export const PRE_SCREEN_QUESTION_IDS = [
  'heavy-daily-alcohol',
  'heavy-daily-benzodiazepines',
  'heavy-daily-opioids',
  'severe-withdrawal-history',
  'withdrawal-seizures',
  'current-withdrawal-symptoms',
  'unable-to-keep-self-safe',
  'severe-psychosis',
  'medically-unstable',
  'cssrs-wish-to-be-dead',
  'cssrs-suicidal-thoughts',
  'cssrs-method',
  'cssrs-intent',
  'cssrs-plan',
  'cssrs-behaviour-lifetime',
  'cssrs-behaviour-past-3-months',
] as const;
export type PreScreenQuestionId = (typeof PRE_SCREEN_QUESTION_IDS)[number];

export interface PreScreenQuestion {
  readonly id: PreScreenQuestionId;
  readonly section: PreScreenSection;
  readonly text: string;
  /** Only asked after a yes to this question (C-SSRS skip logic). */
  readonly askedAfterYesTo?: PreScreenQuestionId;
}

export const PRE_SCREEN_QUESTIONS: readonly PreScreenQuestion[] = [
  {
    id: 'heavy-daily-alcohol',
    section: 'withdrawal',
    text: 'In the past two weeks, have you been drinking alcohol heavily every day?',
  },
  {
    id: 'heavy-daily-benzodiazepines',
    section: 'withdrawal',
    text: 'In the past two weeks, have you taken benzodiazepines (e.g. Xanax, Klonopin, Valium) every day, prescribed or not?',
  },
  {
    id: 'heavy-daily-opioids',
    section: 'withdrawal',
    text: 'In the past two weeks, have you used opioids (e.g. heroin, fentanyl, pain pills) every day?',
  },
  {
    id: 'severe-withdrawal-history',
    section: 'withdrawal',
    text: 'When you have stopped or cut down before, did you have severe withdrawal (DTs, hallucinations, or needing medical detox)?',
  },
  {
    id: 'withdrawal-seizures',
    section: 'withdrawal',
    text: 'Have you ever had a seizure when stopping or cutting down alcohol or drugs?',
  },
  {
    id: 'current-withdrawal-symptoms',
    section: 'withdrawal',
    text: 'Right now, do you have withdrawal symptoms such as shaking, sweating, vomiting or a racing heart?',
  },
  {
    id: 'unable-to-keep-self-safe',
    section: 'supervision',
    text: 'Do you feel unable to keep yourself safe at home right now?',
  },
  {
    id: 'severe-psychosis',
    section: 'supervision',
    text: 'Are you hearing or seeing things others do not, or holding beliefs, to the point that you cannot look after yourself day to day?',
  },
  {
    id: 'medically-unstable',
    section: 'supervision',
    text: 'Do you have a medical problem needing urgent care now (e.g. chest pain, an overdose not yet medically cleared, uncontrolled diabetes, pregnancy complications)?',
  },
  {
    id: 'cssrs-wish-to-be-dead',
    section: 'suicide-risk',
    text: 'In the past month, have you wished you were dead or wished you could go to sleep and not wake up?',
  },
  {
    id: 'cssrs-suicidal-thoughts',
    section: 'suicide-risk',
    text: 'In the past month, have you had any actual thoughts of killing yourself?',
  },
  {
    id: 'cssrs-method',
    section: 'suicide-risk',
    text: 'Have you been thinking about how you might do this?',
    askedAfterYesTo: 'cssrs-suicidal-thoughts',
  },
  {
    id: 'cssrs-intent',
    section: 'suicide-risk',
    text: 'Have you had these thoughts and had some intention of acting on them?',
    askedAfterYesTo: 'cssrs-suicidal-thoughts',
  },
  {
    id: 'cssrs-plan',
    section: 'suicide-risk',
    text: 'Have you started to work out, or worked out, the details of how to kill yourself, and do you intend to carry out this plan?',
    askedAfterYesTo: 'cssrs-suicidal-thoughts',
  },
  {
    id: 'cssrs-behaviour-lifetime',
    section: 'suicide-risk',
    text: 'Have you ever done anything, started to do anything, or prepared to do anything to end your life?',
  },
  {
    id: 'cssrs-behaviour-past-3-months',
    section: 'suicide-risk',
    text: 'Was that within the past three months?',
    askedAfterYesTo: 'cssrs-behaviour-lifetime',
  },
];

export type PreScreenAnswers = Readonly<Partial<Record<PreScreenQuestionId, boolean>>>;

export function preScreenQuestion(id: PreScreenQuestionId): PreScreenQuestion {
  const question = PRE_SCREEN_QUESTIONS.find((q) => q.id === id);
  if (!question) throw new Error(`Pre-screen question ${id} is not defined`);
  return question;
}
