import type { INestApplication } from '@nestjs/common';
import type { Consumer } from 'kafkajs';
import request from 'supertest';
import { PatientDischarged, ReadmissionReferred, deadLetterTopic, type PayloadOf } from '@iop/contracts';
import {
  aDischarge,
  deliverEvent,
  encodeEventMessage,
  eventually,
  startService,
  tokenFor,
  uniqueName,
  useTestInfrastructure,
  type TestInfrastructure,
} from '@iop/testing';
import { IntakeModule } from '../src/intake.module';
import { aCaller, aClearPreScreen, anIopAssessment, aReferral, intakeKit, publish, type Kit } from './intake-test-kit';

type Episode = { episodeId: string; patientId: string; siteId: string; referralId: string };
type WaitlistEntry = { entryId: string; referralId: string; offer: { status: string } | null };

/** Issue 12, items 2 and 5 (intake's side): aftercare's discharge frees the place; a transfer and a readmission become referrals. */
describe("intake reacting to aftercare's discharges and readmission referrals, through Kafka", () => {
  let infra: TestInfrastructure;
  let intake: INestApplication;
  let kit: Kit;
  let deadLetters: Consumer;
  const deadLettered = new Set<string>();

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    intake = await startService(IntakeModule, 'intake');
    kit = await intakeKit(infra, intake);
    deadLetters = kit.kafka.consumer({ groupId: uniqueName('intake-dead-letters'), sessionTimeout: 6000, maxWaitTimeInMs: 100 });
    await deadLetters.connect();
    await deadLetters.subscribe({ topic: deadLetterTopic('intake'), fromBeginning: true });
    await deadLetters.run({
      eachMessage: async ({ message }) => {
        const id = message.headers?.['ce_id'];
        if (id) deadLettered.add(String(id));
      },
    });
  });

  afterAll(async () => {
    await deadLetters?.disconnect();
    await kit?.close();
    await intake?.close();
  });

  const http = () => request(intake.getHttpServer());
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const selfPay = { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: tomorrow() };

  const aSite = async (capacity: number) => {
    const siteId = await kit.site(capacity);
    const token = await tokenFor('intake_coordinator', [siteId]);
    const post = (path: string, body: unknown) =>
      http()
        .post(path)
        .set('authorization', `Bearer ${token}`)
        .send(body as object);
    const get = (path: string) => http().get(path).set('authorization', `Bearer ${token}`);
    /** A referral walked to "assessed". */
    const assess = async (referralId: string) => {
      await post(`/referrals/${referralId}/pre-screen`, aClearPreScreen()).expect(201);
      await post(`/referrals/${referralId}/assessment-booking`, { appointmentAt: new Date(Date.now() + 60_000).toISOString() }).expect(200);
      await post(`/referrals/${referralId}/assessment`, anIopAssessment()).expect(201);
    };
    const assessed = async (caller = aCaller()) => {
      const created = (await post('/referrals', aReferral(siteId, { caller })).expect(201)).body as { referralId: string; patientId: string };
      await assess(created.referralId);
      return created;
    };
    const admitted = async (caller = aCaller()): Promise<Episode> => {
      const { referralId } = await assessed(caller);
      return (await post(`/referrals/${referralId}/admission`, selfPay).expect(201)).body.episode as Episode;
    };
    const waitlist = async () => (await get(`/sites/${siteId}/waitlist`).expect(200)).body as WaitlistEntry[];
    const referrals = async () => (await get(`/referrals?siteId=${siteId}`).expect(200)).body.items as Array<Record<string, unknown>>;
    return { siteId, token, post, get, assess, assessed, admitted, waitlist, referrals };
  };

  /** Whether the consumer has taken an event in (its inbox row): events of one key are taken in order. */
  const taken = (eventId: string) => infra.adminQuery(`SELECT 1 FROM intake.inbox WHERE event_id = $1`, [eventId]);
  const episodeOf = (e: Episode) => ({ episodeId: e.episodeId, patientId: e.patientId, siteId: e.siteId });

  describe('a discharge (aftercare.patient-discharged)', () => {
    it('ends the episode and offers its place to the head of the waitlist, once however often it is delivered', async () => {
      const site = await aSite(1);
      const inPlace = await site.admitted();
      const [head, next] = [await site.assessed(), await site.assessed()];
      await site.post(`/referrals/${head.referralId}/admission`, selfPay).expect(409);
      await site.post(`/referrals/${next.referralId}/admission`, selfPay).expect(409);

      const discharge = aDischarge(episodeOf(inPlace));
      const event = encodeEventMessage(PatientDischarged, discharge);
      // Two deliveries at once (one produce request), then a redelivery, then the same discharge under a new event id.
      await deliverEvent(kit.producer, event, 2);
      await deliverEvent(kit.producer, event);
      const again = await publish(kit.producer, PatientDischarged, discharge);
      await eventually(async () => expect(await taken(again)).toHaveLength(1));

      expect(
        await infra.adminQuery(`SELECT status, discharge_id, discharged_on::text FROM intake.episodes WHERE episode_id = $1`, [inPlace.episodeId]),
      ).toEqual([{ status: 'ended', discharge_id: discharge.dischargeId, discharged_on: discharge.dischargedOn }]);
      const list = await site.waitlist();
      expect(list.map((e) => [e.referralId, e.offer?.status ?? null])).toEqual([
        [head.referralId, 'pending'],
        [next.referralId, null],
      ]);
      const tasks = (await site.get(`/sites/${site.siteId}/follow-up-tasks`).expect(200)).body as Array<{ kind: string; referralId: string }>;
      expect(tasks.filter((t) => t.kind === 'offer-place').map((t) => t.referralId)).toEqual([head.referralId]);
      // The place is held for the head of the list, and only one place was freed.
      await site.post(`/referrals/${next.referralId}/admission`, selfPay).expect(409);
      await site.post(`/referrals/${head.referralId}/admission`, selfPay).expect(201);
    });

    it('has no manual counterpart: the release endpoint is gone', async () => {
      const site = await aSite(1);
      const inPlace = await site.admitted();
      await site.post(`/episodes/${inPlace.episodeId}/release`, {}).expect(404);
      expect(await infra.adminQuery(`SELECT status FROM intake.episodes WHERE episode_id = $1`, [inPlace.episodeId])).toEqual([{ status: 'active' }]);
    });

    it('of an episode intake never admitted is dead-lettered and changes nothing', async () => {
      const site = await aSite(1);
      const unknown = { episodeId: crypto.randomUUID(), patientId: crypto.randomUUID(), siteId: site.siteId };
      const eventId = await publish(kit.producer, PatientDischarged, aDischarge(unknown));
      await eventually(() => expect(deadLettered.has(eventId)).toBe(true), { timeoutMs: 30_000 });
      expect(await infra.adminQuery(`SELECT 1 FROM intake.episodes WHERE episode_id = $1`, [unknown.episodeId])).toEqual([]);
    });

    it('of type transfer refers the patient to the other site, linked to the episode, once', async () => {
      const from = await aSite(5);
      const to = await aSite(5);
      const caller = aCaller();
      const episode = await from.admitted(caller);
      const discharge = aDischarge(episodeOf(episode), { type: 'transfer', reasonCode: 'moved-away', transferToSiteId: to.siteId });
      const event = encodeEventMessage(PatientDischarged, discharge);
      await deliverEvent(kit.producer, event, 2);
      await deliverEvent(kit.producer, event);
      const again = await publish(kit.producer, PatientDischarged, discharge);
      await eventually(async () => expect(await taken(again)).toHaveLength(1));

      const atNewSite = await to.referrals();
      expect(atNewSite).toEqual([
        expect.objectContaining({ siteId: to.siteId, source: 'transfer', stage: 'new', urgency: 'expedited', transferOf: episode.episodeId }),
      ]);
      const referral = atNewSite[0] as { referralId: string; patientId: string };
      // The new site has its own record of the patient (site records stay apart), with the contact details it needs.
      expect(referral.patientId).not.toBe(episode.patientId);
      const patient = await to.get(`/patients/${referral.patientId}`).expect(200);
      expect(patient.body).toMatchObject({ givenName: caller.givenName, familyName: caller.familyName });
      await from.get(`/referrals/${referral.referralId}`).expect(404);
      const tasks = (await to.get(`/sites/${to.siteId}/follow-up-tasks`).expect(200)).body as Array<{ kind: string; referralId: string }>;
      expect(tasks).toEqual([expect.objectContaining({ kind: 'transfer-referral', referralId: referral.referralId })]);
      const [received] = await infra.adminQuery<{ payload: Record<string, unknown> }>(
        `SELECT payload FROM intake.outbox WHERE type = 'intake.referral-received' AND payload->>'referralId' = $1`,
        [referral.referralId],
      );
      expect(received!.payload).toMatchObject({
        source: 'other-provider',
        continues: 'transfer',
        priorEpisodeId: episode.episodeId,
        patientId: referral.patientId,
      });
      expect(JSON.stringify(received!.payload)).not.toContain(caller.familyName);
      // The old site's place was freed too.
      expect(await infra.adminQuery(`SELECT status FROM intake.episodes WHERE episode_id = $1`, [episode.episodeId])).toEqual([{ status: 'ended' }]);
    });
  });

  describe('a readmission referral (aftercare.readmission-referred)', () => {
    const aReadmission = (prior: Episode, overrides: Partial<PayloadOf<typeof ReadmissionReferred>> = {}): PayloadOf<typeof ReadmissionReferred> => ({
      readmissionReferralId: crypto.randomUUID(),
      patientId: prior.patientId,
      priorEpisodeId: prior.episodeId,
      siteId: prior.siteId,
      followUpId: crypto.randomUUID(),
      reason: 'high-risk',
      occurredAt: new Date().toISOString(),
      ...overrides,
    });

    it('becomes one referral marked as a readmission, and its admission says which episode it follows', async () => {
      const site = await aSite(5);
      const prior = await site.admitted();
      await kit.discharge(episodeOf(prior));
      const readmission = aReadmission(prior);
      const event = encodeEventMessage(ReadmissionReferred, readmission);
      await deliverEvent(kit.producer, event, 2);
      await deliverEvent(kit.producer, event);
      // The same referral again under a new event id: still one referral (idempotent on readmissionReferralId).
      const again = await publish(kit.producer, ReadmissionReferred, readmission);
      await eventually(async () => expect(await taken(again)).toHaveLength(1));

      const marked = (await site.referrals()).filter((r) => r['readmission'] !== undefined);
      expect(marked).toEqual([
        expect.objectContaining({
          patientId: prior.patientId,
          source: 'aftercare',
          stage: 'new',
          urgency: 'urgent',
          readmission: { priorEpisodeId: prior.episodeId, reason: 'high-risk' },
        }),
      ]);
      const referralId = marked[0]!['referralId'] as string;
      const detail = await site.get(`/referrals/${referralId}`).expect(200);
      expect(detail.body.readmission).toEqual({ priorEpisodeId: prior.episodeId, reason: 'high-risk' });
      const tasks = (await site.get(`/sites/${site.siteId}/follow-up-tasks`).expect(200)).body as Array<{ kind: string; referralId: string }>;
      expect(tasks).toEqual([expect.objectContaining({ kind: 'readmission-referral', referralId })]);

      await site.assess(referralId);
      const admitted = await site.post(`/referrals/${referralId}/admission`, selfPay).expect(201);
      const [announced] = await infra.adminQuery<{ payload: Record<string, unknown> }>(
        `SELECT payload FROM intake.outbox WHERE type = 'intake.patient-admitted' AND payload->>'episodeId' = $1`,
        [admitted.body.episode.episodeId],
      );
      expect(announced!.payload).toMatchObject({ patientId: prior.patientId, readmissionOf: prior.episodeId });
    });

    it('an ordinary admission carries no readmission mark', async () => {
      const site = await aSite(5);
      const episode = await site.admitted();
      const [announced] = await infra.adminQuery<{ payload: Record<string, unknown> }>(
        `SELECT payload FROM intake.outbox WHERE type = 'intake.patient-admitted' AND payload->>'episodeId' = $1`,
        [episode.episodeId],
      );
      expect(announced!.payload).not.toHaveProperty('readmissionOf');
    });

    it('naming an episode intake never admitted, or another patient, is dead-lettered and makes no referral', async () => {
      const site = await aSite(5);
      const prior = await site.admitted();
      const before = (await site.referrals()).length;
      const unknownEpisode = await publish(kit.producer, ReadmissionReferred, aReadmission({ ...prior, episodeId: crypto.randomUUID() }));
      const wrongPatient = await publish(kit.producer, ReadmissionReferred, aReadmission({ ...prior, patientId: crypto.randomUUID() }));
      await eventually(() => expect([deadLettered.has(unknownEpisode), deadLettered.has(wrongPatient)]).toEqual([true, true]), { timeoutMs: 30_000 });
      expect(await site.referrals()).toHaveLength(before);
    });
  });
});
