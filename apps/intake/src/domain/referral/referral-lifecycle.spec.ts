import { REFERRAL_EVENT_TYPES, type ReferralEventType } from './referral-events';
import { receiveReferral, transitionReferral, type NewReferral, type ReferralChange, type ReferralCommand, type ReferralError } from './referral-lifecycle';
import { suggestedUrgency, type Referral, type ProgressStage } from './referral';
import type { Result } from '../shared';

const t = (iso: string): Date => new Date(`2025-03-${iso}Z`);

function newReferral(overrides: Partial<NewReferral> = {}): Referral {
  const received = receiveReferral({
    id: 'ref-1',
    siteId: 'site-boston',
    source: 'self',
    urgency: 'routine',
    receivedAt: t('03T09:00:00'),
    ...overrides,
  });
  if (!received.ok) throw new Error(received.error.message);
  return received.value.referral;
}

function unwrap(result: Result<ReferralChange, ReferralError>): ReferralChange {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function refusal(result: Result<ReferralChange, ReferralError>): ReferralError {
  if (result.ok) throw new Error(`expected a refusal, got ${result.value.event.type}`);
  return result.error;
}

/** Walks a referral through the happy path up to the given stage. */
function referralAt(stage: ProgressStage, overrides: Partial<NewReferral> = {}): Referral {
  const steps: readonly ReferralCommand[] = [
    { type: 'record-contact', at: t('03T10:00:00') },
    { type: 'record-pre-screen', at: t('03T10:30:00') },
    { type: 'book-assessment', at: t('03T10:40:00'), appointmentAt: t('05T14:00:00') },
    { type: 'record-assessment', at: t('05T16:00:00') },
    { type: 'admit', at: t('06T09:00:00') },
  ];
  let referral = newReferral(overrides);
  for (const step of steps) {
    if (referral.stage === stage) break;
    referral = unwrap(transitionReferral(referral, step)).referral;
  }
  return referral;
}

describe('referral lifecycle', () => {
  it('a new referral starts at "new" and raises intake.referral-received with its source and urgency', () => {
    const result = unwrap(receiveReferral({ id: 'r', siteId: 's', source: 'court', urgency: 'routine', receivedAt: t('03T09:00:00') }));
    expect(result.referral.stage).toBe('new');
    expect(result.event).toMatchObject({ type: 'intake.referral-received', source: 'court', urgency: 'routine' });
  });

  it('a referral from another provider must name the provider', () => {
    const error = receiveReferral({
      id: 'r',
      siteId: 's',
      source: 'other-provider',
      urgency: 'routine',
      receivedAt: t('03T09:00:00'),
    });
    expect(error).toMatchObject({ ok: false, error: { code: 'referral.missing-field' } });
  });

  it('walks new → contacted → pre-screened → assessment booked → assessed → admitted, raising one event per step', () => {
    let referral = newReferral();
    const events: ReferralEventType[] = [];
    const steps: readonly ReferralCommand[] = [
      { type: 'record-contact', at: t('03T10:00:00') },
      { type: 'record-pre-screen', at: t('03T10:30:00') },
      { type: 'book-assessment', at: t('03T10:40:00'), appointmentAt: t('05T14:00:00') },
      { type: 'record-assessment', at: t('05T16:00:00') },
      { type: 'admit', at: t('06T09:00:00') },
    ];
    for (const step of steps) {
      const change = unwrap(transitionReferral(referral, step));
      referral = change.referral;
      events.push(change.event.type);
    }
    expect(referral.stage).toBe('admitted');
    expect(referral.assessmentAppointmentAt).toEqual(t('05T14:00:00'));
    expect(events).toEqual([
      'intake.referral-contacted',
      'intake.referral-pre-screened',
      'intake.referral-assessment-booked',
      'intake.referral-assessed',
      'intake.referral-admitted',
    ]);
  });

  it('cannot book an assessment before the pre-screen is recorded', () => {
    const error = refusal(
      transitionReferral(referralAt('contacted'), {
        type: 'book-assessment',
        at: t('03T11:00:00'),
        appointmentAt: t('05T14:00:00'),
      }),
    );
    expect(error.code).toBe('referral.out-of-order');
    expect(error.message).toBe(
      'Cannot book an assessment before the pre-screen is recorded: this referral is contacted. ' + 'Next step: record the pre-screen.',
    );
  });

  it('a court referral cannot be admitted before it is assessed', () => {
    const booked = referralAt('assessment-booked', { source: 'court', sourceDetail: 'Suffolk County Drug Court' });
    const error = refusal(transitionReferral(booked, { type: 'admit', at: t('04T09:00:00') }));
    expect(error.code).toBe('referral.out-of-order');
    expect(error.message).toContain('Cannot admit the patient before the assessment is recorded');
    expect(error.message).toContain('Next step: record the assessment');
  });

  it('a brand-new referral cannot be pre-screened before first contact is recorded', () => {
    const error = refusal(transitionReferral(newReferral(), { type: 'record-pre-screen', at: t('03T10:00:00') }));
    expect(error.message).toContain('Cannot record the pre-screen before first contact is recorded');
  });

  it('says a step is already done rather than repeating it', () => {
    const error = refusal(transitionReferral(referralAt('assessed'), { type: 'record-contact', at: t('06T09:00:00') }));
    expect(error.code).toBe('referral.already-done');
    expect(error.message).toBe('First contact is already recorded: this referral is assessed. Next step: admit the patient or close the referral.');
  });

  it('rebooking a booked assessment raises intake.referral-assessment-rescheduled with both times', () => {
    const change = unwrap(
      transitionReferral(referralAt('assessment-booked'), {
        type: 'book-assessment',
        at: t('05T15:00:00'),
        appointmentAt: t('07T14:00:00'),
      }),
    );
    expect(change.referral.stage).toBe('assessment-booked');
    expect(change.event).toMatchObject({
      type: 'intake.referral-assessment-rescheduled',
      appointmentAt: t('07T14:00:00'),
      previousAppointmentAt: t('05T14:00:00'),
    });
  });

  it('refuses an appointment earlier than the time it was booked', () => {
    const error = refusal(
      transitionReferral(referralAt('pre-screened'), {
        type: 'book-assessment',
        at: t('03T11:00:00'),
        appointmentAt: t('02T11:00:00'),
      }),
    );
    expect(error.code).toBe('referral.appointment-before-booking');
  });

  it('refuses a step timed before the previous one', () => {
    const error = refusal(transitionReferral(referralAt('contacted'), { type: 'record-pre-screen', at: t('03T09:30:00') }));
    expect(error.code).toBe('referral.time-before-last-step');
    expect(error.message).toContain('Check the date and time');
  });

  it.each(['new', 'contacted', 'pre-screened', 'assessment-booked', 'assessed'] as const)('a referral that is %s can be closed as unreachable', (stage) => {
    const change = unwrap(transitionReferral(referralAt(stage), { type: 'close', at: t('10T09:00:00'), reason: { kind: 'unreachable' } }));
    expect(change.referral.stage).toBe('closed');
    expect(change.referral.closure?.closedAtStage).toBe(stage);
    expect(change.event).toMatchObject({ type: 'intake.referral-closed', reason: 'unreachable', closedAtStage: stage });
  });

  it('closing for "other" needs a note, and the note stays off the event', () => {
    const missing = refusal(transitionReferral(newReferral(), { type: 'close', at: t('04T09:00:00'), reason: { kind: 'other', note: '  ' } }));
    expect(missing.code).toBe('referral.close-note-required');

    const change = unwrap(
      transitionReferral(newReferral(), {
        type: 'close',
        at: t('04T09:00:00'),
        reason: { kind: 'other', note: 'Moved out of state' },
      }),
    );
    expect(JSON.stringify(change.event)).not.toContain('Moved out of state');
    expect(change.referral.closure?.reason).toEqual({ kind: 'other', note: 'Moved out of state' });
  });

  it('a closed referral refuses further steps and says to open a new referral', () => {
    const closed = unwrap(
      transitionReferral(referralAt('contacted'), {
        type: 'close',
        at: t('04T09:00:00'),
        reason: { kind: 'declined' },
      }),
    ).referral;
    const error = refusal(transitionReferral(closed, { type: 'record-pre-screen', at: t('05T09:00:00') }));
    expect(error.code).toBe('referral.closed');
    expect(error.message).toBe('This referral was closed (declined, 2025-03-04). If the person is back in touch, open a new referral.');
  });

  it('an admitted referral cannot be closed', () => {
    const error = refusal(transitionReferral(referralAt('admitted'), { type: 'close', at: t('10T09:00:00'), reason: { kind: 'declined' } }));
    expect(error.code).toBe('referral.admitted');
  });

  it('suggests expedited handling for people leaving detox, hospital or inpatient care', () => {
    expect(suggestedUrgency('inpatient-step-down')).toBe('expedited');
    expect(suggestedUrgency('detox')).toBe('expedited');
    expect(suggestedUrgency('hospital-ed')).toBe('expedited');
    expect(suggestedUrgency('employer-assistance-programme')).toBe('routine');
  });

  it('lists every event type a referral can raise', () => {
    const all: Record<ReferralEventType, true> = {
      'intake.referral-received': true,
      'intake.referral-contacted': true,
      'intake.referral-pre-screened': true,
      'intake.referral-assessment-booked': true,
      'intake.referral-assessment-rescheduled': true,
      'intake.referral-assessed': true,
      'intake.referral-admitted': true,
      'intake.referral-closed': true,
    };
    expect([...REFERRAL_EVENT_TYPES].sort()).toEqual(Object.keys(all).sort());
  });
});
