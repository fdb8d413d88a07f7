import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startService, tokenFor, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { IntakeModule } from '../src/intake.module';
import { aClearPreScreen, anIopAssessment, aPayerConsent, aReferral, intakeKit, type Kit } from './intake-test-kit';

describe('pre-screen, consent and assessment', () => {
  let infra: TestInfrastructure;
  let intake: INestApplication;
  let kit: Kit;
  let site: string;
  let coordinator: string;
  let clinician: string;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    intake = await startService(IntakeModule, 'intake');
    kit = await intakeKit(infra, intake);
    site = await kit.site();
    coordinator = await tokenFor('intake_coordinator', [site]);
    clinician = await tokenFor('clinician', [site]);
  });

  afterAll(async () => {
    await kit?.close();
    await intake?.close();
  });

  const http = () => request(intake.getHttpServer());
  const post = (path: string, body: unknown, token = coordinator) =>
    http()
      .post(path)
      .set('authorization', `Bearer ${token}`)
      .send(body as object);
  const refer = async () => (await post('/referrals', aReferral(site)).expect(201)).body as { referralId: string; patientId: string };
  const outboxTypes = async (key: string) =>
    (await infra.adminQuery<{ type: string }>(`SELECT type FROM intake.outbox WHERE key = $1 ORDER BY seq`, [key])).map((e) => e.type);
  const rowCount = async (table: string) => (await infra.adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intake.${table}`))[0]!.n;

  /** A referral contacted, pre-screened and booked: ready for its assessment. */
  const readyForAssessment = async () => {
    const referral = await refer();
    await post(`/referrals/${referral.referralId}/pre-screen`, aClearPreScreen()).expect(201);
    await post(`/referrals/${referral.referralId}/assessment-booking`, { appointmentAt: new Date(Date.now() + 3_600_000).toISOString() }).expect(200);
    return referral;
  };

  describe('pre-screen', () => {
    it('routes to assessment on a clear screen, and records first contact on the way', async () => {
      const { referralId } = await refer();
      const res = await post(`/referrals/${referralId}/pre-screen`, aClearPreScreen()).expect(201);
      expect(res.body).toMatchObject({ routing: 'proceed-to-assessment', stage: 'pre-screened', safetyConcernId: null, safety: { riskLevel: 'none' } });
      expect(await outboxTypes(referralId)).toEqual(['intake.referral-received', 'intake.referral-contacted', 'intake.referral-pre-screened']);
    });

    it('routes heavy daily drinking with past seizures to withdrawal management first', async () => {
      const { referralId } = await refer();
      const res = await post(`/referrals/${referralId}/pre-screen`, aClearPreScreen({ 'heavy-daily-alcohol': true, 'withdrawal-seizures': true })).expect(201);
      expect(res.body.routing).toBe('withdrawal-management-first');
      expect(res.body.reasons[0].text).toContain('alcohol');
    });

    it('raises an urgent safety event at once on a positive safety screen, and intake carries on', async () => {
      const { referralId } = await refer();
      const res = await post(
        `/referrals/${referralId}/pre-screen`,
        aClearPreScreen({ 'cssrs-suicidal-thoughts': true, 'cssrs-method': true, 'cssrs-intent': true, 'cssrs-plan': false }),
      ).expect(201);
      expect(res.body).toMatchObject({ stage: 'pre-screened', safety: { riskLevel: 'high', urgentFollowUpRequired: true } });
      const [event] = await infra.adminQuery<{ type: string; topic: string; payload: Record<string, unknown> }>(
        `SELECT type, topic, payload FROM intake.outbox WHERE type = 'intake.safety-concern-raised' AND payload->>'referralId' = $1`,
        [referralId],
      );
      expect(event).toMatchObject({ topic: 'intake.safety', payload: { concernId: res.body.safetyConcernId, referralId, siteId: site, riskLevel: 'high' } });
      await post(`/referrals/${referralId}/assessment-booking`, { appointmentAt: new Date(Date.now() + 3_600_000).toISOString() }).expect(200);
    });

    it('refuses a screen with unanswered questions, naming them, and a second screen; nothing written', async () => {
      const { referralId } = await refer();
      const before = await rowCount('pre_screens');
      const partial = aClearPreScreen();
      delete (partial.answers as Record<string, boolean>)['cssrs-wish-to-be-dead'];
      const res = await post(`/referrals/${referralId}/pre-screen`, { answers: { ...partial.answers, 'cssrs-suicidal-thoughts': true } }).expect(422);
      expect(res.body.detail).toContain('cssrs-wish-to-be-dead');
      expect(res.body.detail).toContain('cssrs-plan');
      await post(`/referrals/${referralId}/pre-screen`, { answers: { 'made-up-question': true } }).expect(400);
      expect(await rowCount('pre_screens')).toBe(before);
      expect(await outboxTypes(referralId)).toEqual(['intake.referral-received']);
      await post(`/referrals/${referralId}/pre-screen`, aClearPreScreen()).expect(201);
      const twice = await post(`/referrals/${referralId}/pre-screen`, aClearPreScreen()).expect(409);
      expect(twice.body.code).toBe('referral.already-done');
    });
  });

  describe('consent', () => {
    it('records a complete consent, announces its scope without the document, and answers the disclosure question', async () => {
      const { patientId } = await refer();
      const res = await post(`/patients/${patientId}/consents`, aPayerConsent(site)).expect(201);
      const consentId = res.body.consentId as string;
      const [event] = await infra.adminQuery<{ type: string; payload: Record<string, unknown> }>(
        `SELECT type, payload FROM intake.outbox WHERE key = $1 AND type LIKE 'intake.consent%'`,
        [patientId],
      );
      expect(event).toMatchObject({
        type: 'intake.consent-granted',
        payload: { consentId, patientId, discloser: { kind: 'site', id: site }, recipients: [{ kind: 'payer', payerId: 'aetna' }], purposes: ['payment'] },
      });
      expect(JSON.stringify(event)).not.toContain('Jordan Rivera');

      const ask = (query: string) =>
        http().get(`/patients/${patientId}/disclosure-decision?${query}`).set('authorization', `Bearer ${coordinator}`).expect(200);
      const allowed = await ask(`discloserSiteId=${site}&recipientKind=payer&recipientId=aetna&purpose=payment&recordKind=billing-and-claims`);
      expect(allowed.body).toMatchObject({ allowed: true, consentId });
      expect(allowed.body.redisclosureNotice).toContain('42 CFR part 2');
      const otherPayer = await ask(`discloserSiteId=${site}&recipientKind=payer&recipientId=cigna&purpose=payment&recordKind=billing-and-claims`);
      expect(otherPayer.body).toMatchObject({ allowed: false, denial: 'recipient-not-covered' });
      const vague = await http()
        .get(`/patients/${patientId}/disclosure-decision?discloserSiteId=${site}&recipientKind=payer&purpose=payment`)
        .set('authorization', `Bearer ${coordinator}`)
        .expect(400);
      expect(vague.body.detail).toContain('recipientId');
      expect(vague.body.detail).toContain('recordKind');
      const notes = await ask(`discloserSiteId=${site}&recipientKind=payer&recipientId=aetna&purpose=payment&recordKind=progress-notes`);
      expect(notes.body).toMatchObject({ allowed: false, denial: 'information-not-covered' });

      await post(`/patients/${patientId}/consents/${consentId}/revocation`, { method: 'verbal' }).expect(200);
      const revoked = await ask(`discloserSiteId=${site}&recipientKind=payer&recipientId=aetna&purpose=payment&recordKind=billing-and-claims`);
      expect(revoked.body).toMatchObject({ allowed: false, denial: 'revoked' });
      expect(await outboxTypes(patientId)).toEqual(['intake.consent-granted', 'intake.consent-revoked']);
      const again = await post(`/patients/${patientId}/consents/${consentId}/revocation`, { method: 'written' }).expect(409);
      expect(again.body.code).toBe('consent.already-revoked');
    });

    it('refuses a consent with elements missing, naming every one, and writes nothing', async () => {
      const { patientId } = await refer();
      const { expiry: _e, signer: _s, formStatements: _f, ...incomplete } = aPayerConsent(site);
      const res = await post(`/patients/${patientId}/consents`, { ...incomplete, signatureMethod: 'verbal-witnessed' }).expect(422);
      expect(res.body.code).toBe('consent.invalid');
      for (const element of ['expiry', 'signature-method', 'signer', 'form-statements']) expect(res.body.detail).toContain(element);
      expect(res.body.detail).toContain('written consent');
      expect(await infra.adminQuery(`SELECT 1 FROM intake.consents WHERE patient_id = $1`, [patientId])).toHaveLength(0);
      expect(await outboxTypes(patientId)).toEqual([]);
    });

    it('refuses a consent that has already expired', async () => {
      const { patientId } = await refer();
      const res = await post(
        `/patients/${patientId}/consents`,
        aPayerConsent(site, 'aetna', { signedAt: '2024-01-01T00:00:00Z', expiry: { kind: 'date', expiresAt: '2025-01-01T00:00:00Z' } }),
      ).expect(422);
      expect(res.body).toMatchObject({ code: 'consent.expired' });
      expect(await infra.adminQuery(`SELECT 1 FROM intake.consents WHERE patient_id = $1`, [patientId])).toHaveLength(0);
    });
  });

  describe('assessment', () => {
    it('recommends IOP from moderate ratings, with program type, weekly hours and scored measures', async () => {
      const { referralId } = await readyForAssessment();
      const res = await post(`/referrals/${referralId}/assessment`, anIopAssessment()).expect(201);
      expect(res.body.recommendation).toMatchObject({ level: '2.1', ruleId: 'R6', programType: 'co-occurring', plannedWeeklyHours: { hours: 9 } });
      expect(res.body.decision).toMatchObject({ level: '2.1', plannedWeeklyHours: 9, decidedBy: 'rule-table' });
      expect(res.body.phq9).toMatchObject({ total: 9, band: 'mild', safetyFollowUpRequired: false });
      expect(res.body.gad7).toMatchObject({ total: 5, band: 'mild' });
      expect((await outboxTypes(referralId)).at(-1)).toBe('intake.referral-assessed');
    });

    it('lets a clinician override with a reason, audited as an override; coordinators and empty reasons are refused', async () => {
      const { referralId, patientId } = await readyForAssessment();
      await post(
        `/referrals/${referralId}/assessment`,
        anIopAssessment({
          dimensions: { '1': { rating: 0 }, '2': { rating: 0 }, '3': { rating: 1 }, '4': { rating: 1 }, '5': { rating: 1 }, '6': { rating: 1 } },
        }),
      ).expect(201);
      await post(`/referrals/${referralId}/assessment/override`, { level: '2.1', reason: 'relapse after last OP episode' }, coordinator).expect(403);
      const short = await post(`/referrals/${referralId}/assessment/override`, { level: '2.1', reason: 'ok' }, clinician).expect(422);
      expect(short.body.code).toBe('assessment.override-reason-required');
      const res = await post(
        `/referrals/${referralId}/assessment/override`,
        { level: '2.1', reason: 'Relapsed twice in standard outpatient care this year' },
        clinician,
      ).expect(200);
      expect(res.body.decision).toMatchObject({ level: '2.1', plannedWeeklyHours: 9, decidedBy: 'clinician-override' });
      const [audit] = await infra.adminQuery<{ action: string; reason: string; role: string }>(
        `SELECT action, reason, role FROM intake.audit_log WHERE patient_id = $1 AND action = 'override'`,
        [patientId],
      );
      expect(audit).toMatchObject({ action: 'override', role: 'clinician' });
      expect(audit!.reason).toContain('1 → 2.1');
    });

    it('refuses ratings out of range and unanswered items, naming each, and writes nothing', async () => {
      const { referralId } = await readyForAssessment();
      const res = await post(
        `/referrals/${referralId}/assessment`,
        anIopAssessment({
          dimensions: { '1': { rating: 5 }, '2': { rating: 1.5 }, '3': { rating: 2 }, '4': { rating: 1 }, '5': { rating: 2 } },
          phq9: [1, 1, 1, 1, 1, 1, 1, 1, 4],
        }),
      ).expect(422);
      expect(res.body.code).toBe('assessment.invalid');
      for (const text of ['Dimension 1', 'got 5', 'Dimension 2', 'Dimension 6 (environment) is not rated', 'Item 9']) expect(res.body.detail).toContain(text);
      expect(await infra.adminQuery(`SELECT 1 FROM intake.assessments WHERE referral_id = $1`, [referralId])).toHaveLength(0);
    });

    it('refuses an assessment before one is booked', async () => {
      const { referralId } = await refer();
      const res = await post(`/referrals/${referralId}/assessment`, anIopAssessment()).expect(409);
      expect(res.body.code).toBe('referral.out-of-order');
      expect(await infra.adminQuery(`SELECT 1 FROM intake.assessments WHERE referral_id = $1`, [referralId])).toHaveLength(0);
    });
  });
});
