import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Clock } from '../src/application/clock';
import { eventually, startService, tokenFor, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { IntakeModule } from '../src/intake.module';
import { CoverageVerified } from '@iop/contracts';
import { FakeInsurance, aClearPreScreen, anIopAssessment, aPayerConsent, aReferral, intakeKit, publish, type Kit } from './intake-test-kit';

describe('the admission saga: from an assessed patient to an admission, through insurance', () => {
  let infra: TestInfrastructure;
  let intake: INestApplication;
  let kit: Kit;
  let insurance: FakeInsurance;
  let site: string;
  let coordinator: string;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    process.env['INTAKE_COVERAGE_SWEEP_INTERVAL_MS'] = '250';
    intake = await startService(IntakeModule, 'intake');
    kit = await intakeKit(infra, intake);
    insurance = new FakeInsurance(kit.kafka, kit.producer);
    await insurance.start();
    site = await kit.site(50);
    coordinator = await tokenFor('intake_coordinator', [site]);
  });

  afterAll(async () => {
    await insurance?.stop();
    await kit?.close();
    await intake?.close();
    delete process.env['INTAKE_COVERAGE_SWEEP_INTERVAL_MS'];
  });

  const http = () => request(intake.getHttpServer());
  const post = (path: string, body: unknown, token = coordinator) =>
    http()
      .post(path)
      .set('authorization', `Bearer ${token}`)
      .send(body as object);
  const get = (path: string, token = coordinator) => http().get(path).set('authorization', `Bearer ${token}`);
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

  /** Referral → pre-screen → booking → assessment recommending IOP. */
  const assessedPatient = async (atSite = site, token = coordinator, referral: Record<string, unknown> = {}) => {
    const created = (await post('/referrals', aReferral(atSite, referral), token).expect(201)).body as { referralId: string; patientId: string };
    await post(`/referrals/${created.referralId}/pre-screen`, aClearPreScreen(), token).expect(201);
    await post(`/referrals/${created.referralId}/assessment-booking`, { appointmentAt: new Date(Date.now() + 60_000).toISOString() }, token).expect(200);
    const assessment = await post(`/referrals/${created.referralId}/assessment`, anIopAssessment(), token).expect(201);
    expect(assessment.body.decision.level).toBe('2.1');
    return created;
  };
  const stage = async (referralId: string) =>
    (await get(`/referrals/${referralId}`).expect(200)).body as {
      stage: string;
      episode: { episodeId: string } | null;
      admissionRequests: Array<{ status: string }>;
    };
  const events = async (type: string, field: string, value: string) =>
    infra.adminQuery<{ payload: Record<string, unknown>; topic: string; key: string }>(
      `SELECT payload, topic, key FROM intake.outbox WHERE type = $1 AND payload->>'${field}' = $2`,
      [type, value],
    );

  it('the whole journey: referral → pre-screen → consent → assessment → coverage verified by insurance → admitted', async () => {
    const { referralId, patientId } = await assessedPatient();
    const consent = await post(`/patients/${patientId}/consents`, aPayerConsent(site)).expect(201);
    const asked = await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(202);
    expect(asked.body).toMatchObject({ status: 'awaiting-coverage', consentId: consent.body.consentId });

    const [requested] = await events('intake.coverage-verification-requested', 'referralId', referralId);
    expect(requested).toMatchObject({
      topic: 'intake.coverage-requests',
      key: patientId,
      payload: { requestId: asked.body.requestId, programType: 'co-occurring', serviceDate: tomorrow() },
    });

    const admitted = await eventually(async () => {
      const now = await stage(referralId);
      expect(now.stage).toBe('admitted');
      return now;
    });
    expect(admitted.admissionRequests.map((r) => r.status)).toEqual(['admitted']);
    const [announced] = await events('intake.patient-admitted', 'referralId', referralId);
    expect(announced).toMatchObject({
      topic: 'intake.admissions',
      key: admitted.episode!.episodeId,
      payload: { patientId, siteId: site, programType: 'co-occurring', levelOfCare: '2.1', plannedWeeklyHours: 9, plannedStart: tomorrow() },
    });
    const steps = await infra.adminQuery<{ type: string }>(`SELECT type FROM intake.outbox WHERE key = $1 ORDER BY seq`, [referralId]);
    expect(steps.map((s) => s.type)).toEqual([
      'intake.referral-received',
      'intake.referral-contacted',
      'intake.referral-pre-screened',
      'intake.referral-assessment-booked',
      'intake.referral-assessed',
      'intake.referral-admitted',
    ]);
    const disclosure = await infra.adminQuery(`SELECT 1 FROM intake.audit_log WHERE patient_id = $1 AND action = 'disclose'`, [patientId]);
    expect(disclosure).toHaveLength(1);
  });

  it('rejected coverage leaves the patient assessed, with a follow-up task saying what to do', async () => {
    const { referralId, patientId } = await assessedPatient();
    insurance.answer(patientId, 'rejected');
    await post(`/patients/${patientId}/consents`, aPayerConsent(site)).expect(201);
    await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(202);
    const task = await eventually(async () => {
      const tasks = (await get(`/sites/${site}/follow-up-tasks`).expect(200)).body as Array<{
        referralId: string;
        kind: string;
        detail: string;
        taskId: string;
      }>;
      const mine = tasks.find((t) => t.referralId === referralId);
      expect(mine).toMatchObject({ kind: 'coverage-rejected' });
      return mine!;
    });
    expect(task.detail).toContain('Offer self-pay');
    const now = await stage(referralId);
    expect(now).toMatchObject({ stage: 'assessed', episode: null });
    expect(now.admissionRequests.map((r) => r.status)).toEqual(['coverage-rejected']);
    // The coordinator offers self-pay, the patient accepts, and is admitted.
    const selfPay = await post(`/referrals/${referralId}/admission`, { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: tomorrow() }).expect(201);
    expect(selfPay.body.status).toBe('admitted');
    const done = await post(`/follow-up-tasks/${task.taskId}/completion`, {}).expect(200);
    expect(done.body).toEqual({ taskId: task.taskId, completed: true });
    // The task leaves the coordinator's queue, and completing it again is refused.
    const open = (await get(`/sites/${site}/follow-up-tasks`).expect(200)).body as Array<{ taskId: string }>;
    expect(open.map((t) => t.taskId)).not.toContain(task.taskId);
    const again = await post(`/follow-up-tasks/${task.taskId}/completion`, {});
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
  });

  it('no answer by the deadline becomes a follow-up task, never a stuck patient; a late answer still admits', async () => {
    const { referralId, patientId } = await assessedPatient();
    insurance.answer(patientId, 'silent');
    await post(`/patients/${patientId}/consents`, aPayerConsent(site)).expect(201);
    process.env['INTAKE_COVERAGE_ANSWER_TIMEOUT_MS'] = '300';
    try {
      await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(202);
    } finally {
      delete process.env['INTAKE_COVERAGE_ANSWER_TIMEOUT_MS'];
    }
    await eventually(async () => {
      const tasks = (await get(`/sites/${site}/follow-up-tasks`).expect(200)).body as Array<{ referralId: string; kind: string }>;
      expect(tasks.filter((t) => t.referralId === referralId).map((t) => t.kind)).toEqual(['coverage-timeout']);
    });
    expect((await stage(referralId)).admissionRequests.map((r) => r.status)).toEqual(['timed-out']);
    const again = await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(409);
    expect(again.body.code).toBe('admission.awaiting-coverage');

    const [requested] = await events('intake.coverage-verification-requested', 'referralId', referralId);
    const { CoverageVerified } = await import('@iop/contracts');
    const { publish } = await import('./intake-test-kit');
    await publish(
      kit.producer,
      CoverageVerified,
      {
        requestId: requested!.payload['requestId'] as string,
        patientId,
        siteId: site,
        verificationId: crypto.randomUUID(),
        payerId: 'aetna',
        authorizationRequired: false,
        carveOut: false,
        method: 'phone',
        occurredAt: new Date().toISOString(),
      },
      '/iop/insurance',
    );
    await eventually(async () => expect((await stage(referralId)).stage).toBe('admitted'));
    const tasks = (await get(`/sites/${site}/follow-up-tasks`).expect(200)).body as Array<{ referralId: string }>;
    expect(tasks.filter((t) => t.referralId === referralId)).toEqual([]);
  });

  /** A request insurance does not answer, past its deadline: the coordinator has a coverage-timeout task. */
  const timedOut = async () => {
    const { referralId, patientId } = await assessedPatient();
    insurance.answer(patientId, 'silent');
    await post(`/patients/${patientId}/consents`, aPayerConsent(site)).expect(201);
    process.env['INTAKE_COVERAGE_ANSWER_TIMEOUT_MS'] = '300';
    let requestId: string;
    try {
      requestId = (await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(202)).body
        .requestId as string;
    } finally {
      delete process.env['INTAKE_COVERAGE_ANSWER_TIMEOUT_MS'];
    }
    await eventually(async () => expect((await stage(referralId)).admissionRequests.map((r) => r.status)).toEqual(['timed-out']));
    return { referralId, patientId, requestId };
  };
  /** Insurance's answer arriving late, as insurance would send it; resolves once intake's consumer has taken it in. */
  const lateVerified = async (requestId: string, patientId: string) => {
    const eventId = await publish(
      kit.producer,
      CoverageVerified,
      {
        requestId,
        patientId,
        siteId: site,
        verificationId: crypto.randomUUID(),
        payerId: 'aetna',
        authorizationRequired: false,
        carveOut: false,
        method: 'phone',
        occurredAt: new Date().toISOString(),
      },
      '/iop/insurance',
    );
    await eventually(async () => expect(await infra.adminQuery(`SELECT 1 FROM intake.inbox WHERE event_id = $1`, [eventId])).toHaveLength(1));
  };

  it('after a timeout the self-pay route the task recommends admits at once; a late answer for the superseded request changes nothing', async () => {
    const { referralId, patientId, requestId } = await timedOut();
    const selfPay = await post(`/referrals/${referralId}/admission`, { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: tomorrow() }).expect(201);
    expect(selfPay.body.status).toBe('admitted');
    const after = await stage(referralId);
    expect(after.admissionRequests.map((r) => r.status)).toEqual(['superseded', 'admitted']);
    const tasks = (await get(`/sites/${site}/follow-up-tasks`).expect(200)).body as Array<{ referralId: string }>;
    expect(tasks.filter((t) => t.referralId === referralId)).toEqual([]);
    const [cancelled] = await events('intake.coverage-request-cancelled', 'requestId', requestId);
    expect(cancelled).toMatchObject({ topic: 'intake.coverage-requests', key: patientId, payload: { referralId, reason: 'superseded-by-self-pay' } });

    await lateVerified(requestId, patientId);
    const episodes = await infra.adminQuery<{ payment: string }>(`SELECT payment FROM intake.episodes WHERE referral_id = $1`, [referralId]);
    expect(episodes).toEqual([{ payment: 'self-pay' }]);
    expect(await events('intake.patient-admitted', 'referralId', referralId)).toHaveLength(1);
    expect((await stage(referralId)).admissionRequests.map((r) => r.status)).toEqual(['superseded', 'admitted']);
  });

  it('a coordinator cancels a request waiting for insurance; a new one can be made, and the cancelled one’s answer is ignored', async () => {
    const { referralId, patientId } = await assessedPatient();
    insurance.answer(patientId, 'silent');
    await post(`/patients/${patientId}/consents`, aPayerConsent(site)).expect(201);
    const nothing = await post(`/referrals/${referralId}/admission/cancellation`, { reason: 'other-payer' }).expect(409);
    expect(nothing.body.code).toBe('admission.nothing-to-cancel');
    const first = await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(202);
    const blocked = await post(`/referrals/${referralId}/admission`, { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: tomorrow() }).expect(409);
    expect(blocked.body.detail).toContain('/admission/cancellation');

    const cancelled = await post(`/referrals/${referralId}/admission/cancellation`, { reason: 'other-payer' }).expect(200);
    expect(cancelled.body).toMatchObject({ requestId: first.body.requestId, status: 'cancelled' });
    const [event] = await events('intake.coverage-request-cancelled', 'requestId', first.body.requestId as string);
    expect(event!.payload).toMatchObject({ reason: 'cancelled-by-coordinator' });
    const elsewhere = await tokenFor('intake_coordinator', [await kit.site()]);
    await post(`/referrals/${referralId}/admission/cancellation`, { reason: 'other' }, elsewhere).expect(404);

    const second = await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(202);
    await lateVerified(first.body.requestId as string, patientId);
    const now = await stage(referralId);
    expect(now).toMatchObject({ stage: 'assessed', episode: null });
    expect(now.admissionRequests.map((r) => r.status)).toEqual(['cancelled', 'awaiting-coverage']);
    await lateVerified(second.body.requestId as string, patientId);
    expect((await stage(referralId)).stage).toBe('admitted');
  });

  it('a failed verification becomes a follow-up task and the admission can be asked again', async () => {
    const { referralId, patientId } = await assessedPatient();
    insurance.answer(patientId, 'failed');
    await post(`/patients/${patientId}/consents`, aPayerConsent(site)).expect(201);
    await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(202);
    await eventually(async () => expect((await stage(referralId)).admissionRequests.map((r) => r.status)).toEqual(['verification-failed']));
    insurance.answer(patientId, 'verified');
    await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(202);
    await eventually(async () => expect((await stage(referralId)).stage).toBe('admitted'));
  });

  it('coverage verified for a full site puts the patient on the waitlist and tells the coordinator', async () => {
    const fullSite = await kit.site(0);
    const token = await tokenFor('intake_coordinator', [fullSite]);
    const { referralId, patientId } = await assessedPatient(fullSite, token);
    await post(`/patients/${patientId}/consents`, aPayerConsent(fullSite), token).expect(201);
    await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }, token).expect(202);
    await eventually(async () => {
      const tasks = (await get(`/sites/${fullSite}/follow-up-tasks`, token).expect(200)).body as Array<{ kind: string; detail: string }>;
      expect(tasks).toEqual([expect.objectContaining({ kind: 'site-full' })]);
      expect(tasks[0]!.detail).toContain('number 1 of 1 on the waitlist');
    });
    expect((await get(`/referrals/${referralId}/waitlist-position`, token).expect(200)).body).toMatchObject({ position: 1, of: 1 });
  });

  describe('refusals: a clear 4xx and nothing written', () => {
    const nothingAsked = async (referralId: string) => {
      expect(await infra.adminQuery(`SELECT 1 FROM intake.admission_requests WHERE referral_id = $1`, [referralId])).toHaveLength(0);
      expect(await events('intake.coverage-verification-requested', 'referralId', referralId)).toHaveLength(0);
    };

    it('without a consent allowing disclosure to the payer', async () => {
      const { referralId, patientId } = await assessedPatient();
      const none = await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(422);
      expect(none.body).toMatchObject({ code: 'admission.no-payer-consent' });
      expect(none.body.detail).toContain('no signed consent');
      await post(`/patients/${patientId}/consents`, aPayerConsent(site, 'cigna')).expect(201);
      const otherPayer = await post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(422);
      expect(otherPayer.body.detail).toContain('does not name');
      await nothingAsked(referralId);
    });

    it('with a consent that has expired since it was signed', async () => {
      const { referralId, patientId } = await assessedPatient();
      await post(
        `/patients/${patientId}/consents`,
        aPayerConsent(site, 'aetna', { expiry: { kind: 'date', expiresAt: new Date(Date.now() + 3_600_000).toISOString() } }),
      ).expect(201);
      // Two hours later by intake's clock: the consent signed for one hour has expired.
      const clock = intake.get(Clock);
      const later = jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.now() + 2 * 3_600_000));
      const res = await Promise.resolve(
        post(`/referrals/${referralId}/admission`, { payment: 'insurance', payerId: 'aetna', plannedStart: tomorrow() }).expect(422),
      ).finally(() => later.mockRestore());
      expect(res.body.detail).toContain('expired');
      await nothingAsked(referralId);
    });

    it('before the assessment, or when the assessment did not decide IOP', async () => {
      const early = (await post('/referrals', aReferral(site)).expect(201)).body as { referralId: string };
      const res = await post(`/referrals/${early.referralId}/admission`, { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: tomorrow() }).expect(
        409,
      );
      expect(res.body.code).toBe('referral.out-of-order');
      await nothingAsked(early.referralId);

      const severe = (await post('/referrals', aReferral(site)).expect(201)).body as { referralId: string };
      await post(`/referrals/${severe.referralId}/pre-screen`, aClearPreScreen()).expect(201);
      await post(`/referrals/${severe.referralId}/assessment-booking`, { appointmentAt: new Date(Date.now() + 60_000).toISOString() }).expect(200);
      await post(
        `/referrals/${severe.referralId}/assessment`,
        anIopAssessment({
          dimensions: { '1': { rating: 3 }, '2': { rating: 0 }, '3': { rating: 1 }, '4': { rating: 1 }, '5': { rating: 1 }, '6': { rating: 1 } },
        }),
      ).expect(201);
      const wm = await post(`/referrals/${severe.referralId}/admission`, { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: tomorrow() }).expect(
        422,
      );
      expect(wm.body).toMatchObject({ code: 'admission.not-iop' });
      expect(wm.body.detail).toContain('Withdrawal management first');
      await nothingAsked(severe.referralId);
    });

    it('self-pay without the acknowledgement, insurance without a payer, a bad or past start date', async () => {
      const { referralId } = await assessedPatient();
      const noAck = await post(`/referrals/${referralId}/admission`, { payment: 'self-pay', plannedStart: tomorrow() }).expect(400);
      expect(noAck.body.detail).toContain('selfPayAcknowledged');
      await post(`/referrals/${referralId}/admission`, { payment: 'insurance', plannedStart: tomorrow() }).expect(400);
      await post(`/referrals/${referralId}/admission`, { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: '2026-02-30x' }).expect(400);
      const past = await post(`/referrals/${referralId}/admission`, { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: '2020-01-06' }).expect(422);
      expect(past.body).toMatchObject({ code: 'admission.start-in-past' });
      // A start far ahead would hold a place for months: refused at the door, with the limit.
      const farAhead = await post(`/referrals/${referralId}/admission`, { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: '9999-12-31' }).expect(
        400,
      );
      expect(farAhead.body.detail).toContain('at most 90 days ahead');
      await nothingAsked(referralId);
    });

    it("another site's coordinator cannot admit the patient", async () => {
      const { referralId } = await assessedPatient();
      const elsewhere = await tokenFor('intake_coordinator', [await kit.site()]);
      await post(`/referrals/${referralId}/admission`, { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: tomorrow() }, elsewhere).expect(404);
      await get(`/sites/${site}/follow-up-tasks`, elsewhere).expect(403);
      await nothingAsked(referralId);
    });
  });
});
