import { loadPublicSample } from '../../test/fixtures/x12/public/load-public';
import { parse271, summariseBenefits } from '../domain/eligibility';
import { coordinatorTaskFor, outcomeOf, rejectionsFor, serviceTypesFor } from './eligibility-outcome';

/** What the verification does with a public rejection response: the outcome, and the coordinator task it leaves. */
function read(name: string) {
  const summary = summariseBenefits(parse271(loadPublicSample(name)), { serviceTypes: serviceTypesFor('co-occurring'), serviceDate: '2006-05-01' });
  return { outcome: outcomeOf(summary, false, 'co-occurring'), task: coordinatorTaskFor(rejectionsFor(summary, false)) };
}

describe('a payer rejection (AAA) becomes the right coordinator task', () => {
  it.each([
    ['derived-271-aaa42-payer-unavailable.x12', 'unanswered', 'payer-unavailable', 'retry-later', ['42'], /payer system unavailable/],
    ['stupidedi-271-provider-not-eligible-aaa50.x12', 'unanswered', 'payer-error', 'clinic-enrolment', ['50'], /.+/],
    ['stupidedi-271-error-wrapped-60-columns.x12', 'unanswered', 'payer-error', 'clinic-enrolment', ['50'], /.+/],
    ['derived-271-aaa72-invalid-member-id.x12', 'rejected', 'member-not-found', 'correct-member-details', ['72'], /member id/],
    ['derived-271-aaa75-subscriber-not-found.x12', 'rejected', 'member-not-found', 'correct-member-details', ['75'], /cannot find this subscriber/],
    ['derived-271-aaa33-input-errors.x12', 'unanswered', 'payer-error', 'correct-inquiry', ['33'], /could not read part of the request/],
  ])('%s: %s (%s), task %s', (name, kind, reason, taskKind, codes, action) => {
    const { outcome, task } = read(name);
    expect(outcome).toMatchObject({ kind, reason });
    expect(task).toMatchObject({ kind: taskKind, reasonCodes: codes });
    expect(task?.action).toMatch(action);
  });

  it('leaves no rejection task for an answered response', () => {
    expect(read('stupidedi-271-subscriber-found.x12').task).toBeUndefined();
  });

  it('asks for a retry before anything else when one of several rejections is "try later"', () => {
    const { task } = read('derived-271-aaa42-payer-unavailable.x12');
    expect(task?.action).toContain('you may resend');
  });
});
