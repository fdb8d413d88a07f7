import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { eventually, startService, tokenFor, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { Clock } from '../src/application/clock';
import { IntakeModule } from '../src/intake.module';
import { WaitlistOfferExpiry } from '../src/infrastructure/waitlist-offer-expiry.sweep';
import { aClearPreScreen, anIopAssessment, aReferral, intakeKit, type Kit } from './intake-test-kit';

describe('capacity, the waitlist and the coordinator views', () => {
  let infra: TestInfrastructure;
  let intake: INestApplication;
  let kit: Kit;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    intake = await startService(IntakeModule, 'intake');
    kit = await intakeKit(infra, intake);
  });

  afterAll(async () => {
    await kit?.close();
    await intake?.close();
  });

  const http = () => request(intake.getHttpServer());
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const selfPay = { payment: 'self-pay', selfPayAcknowledged: true, plannedStart: tomorrow() };

  /** A site of the given capacity, with a coordinator and a helper walking patients to "assessed". */
  const aSite = async (capacity: number) => {
    const siteId = await kit.site(capacity);
    const token = await tokenFor('intake_coordinator', [siteId]);
    const post = (path: string, body: unknown) =>
      http()
        .post(path)
        .set('authorization', `Bearer ${token}`)
        .send(body as object);
    const get = (path: string) => http().get(path).set('authorization', `Bearer ${token}`);
    const assessed = async (referral: Record<string, unknown> = {}) => {
      const created = (await post('/referrals', aReferral(siteId, referral)).expect(201)).body as { referralId: string; patientId: string };
      await post(`/referrals/${created.referralId}/pre-screen`, aClearPreScreen()).expect(201);
      await post(`/referrals/${created.referralId}/assessment-booking`, { appointmentAt: new Date(Date.now() + 60_000).toISOString() }).expect(200);
      await post(`/referrals/${created.referralId}/assessment`, anIopAssessment()).expect(201);
      return created;
    };
    /** Aftercare discharges the admitted patient; the entry their place was offered to, if any. */
    const discharge = async (admitted: request.Response) => {
      await kit.discharge(admitted.body.episode as { episodeId: string; patientId: string; siteId: string });
      const list = (await get(`/sites/${siteId}/waitlist`).expect(200)).body as Array<{
        entryId: string;
        referralId: string;
        offer: { status: string } | null;
      }>;
      return list.find((e) => e.offer?.status === 'pending') ?? null;
    };
    return { siteId, post, get, assessed, discharge };
  };

  it('coordinators taking the last place at the same moment: exactly one admits, the others hear 409 and their patients are waitlisted', async () => {
    const site = await aSite(2);
    const [already, ...racing] = [await site.assessed(), await site.assessed(), await site.assessed(), await site.assessed()];
    await site.post(`/referrals/${already!.referralId}/admission`, selfPay).expect(201);
    const answers = await Promise.all(racing.map((p) => site.post(`/referrals/${p.referralId}/admission`, selfPay)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body.code).toBe('admission.site-full');
      expect(refused.body.detail).toContain('2 of 2 places taken');
      expect(refused.body.detail).toContain('on the waitlist');
    }

    const episodes = await infra.adminQuery(`SELECT 1 FROM intake.episodes WHERE site_id = $1 AND status = 'active'`, [site.siteId]);
    expect(episodes).toHaveLength(2);
    const admitted = await infra.adminQuery(`SELECT 1 FROM intake.outbox WHERE type = 'intake.patient-admitted' AND payload->>'siteId' = $1`, [site.siteId]);
    expect(admitted).toHaveLength(2);
    const winner = answers.find((a) => a.status === 201)!.body.episode.referralId as string;
    const waitlist = (await site.get(`/sites/${site.siteId}/waitlist`).expect(200)).body as Array<{ referralId: string }>;
    expect(waitlist.map((e) => e.referralId).sort()).toEqual(
      racing
        .map((p) => p.referralId)
        .filter((id) => id !== winner)
        .sort(),
    );
  });

  it('a freed place is held for the head of the waitlist; others are still turned away; the head is admitted into it', async () => {
    const site = await aSite(1);
    const [inPlace, waiting, later] = [await site.assessed(), await site.assessed(), await site.assessed()];
    const admitted = await site.post(`/referrals/${inPlace.referralId}/admission`, selfPay).expect(201);
    await site.post(`/referrals/${waiting.referralId}/admission`, selfPay).expect(409);
    await site.post(`/referrals/${later.referralId}/admission`, selfPay).expect(409);

    const offeredTo = await site.discharge(admitted);
    expect(offeredTo).toMatchObject({ referralId: waiting.referralId });
    const tasks = (await site.get(`/sites/${site.siteId}/follow-up-tasks`).expect(200)).body as Array<{ kind: string; referralId: string }>;
    expect(tasks).toEqual([expect.objectContaining({ kind: 'offer-place', referralId: waiting.referralId })]);

    // The held place is not the next caller's to take.
    await site.post(`/referrals/${later.referralId}/admission`, selfPay).expect(409);
    await site.post(`/referrals/${waiting.referralId}/admission`, selfPay).expect(201);
    const position = await site.get(`/referrals/${later.referralId}/waitlist-position`).expect(200);
    expect(position.body).toMatchObject({ position: 1, of: 1 });
    await site.get(`/referrals/${waiting.referralId}/waitlist-position`).expect(404);
  });

  it('a declined offer passes the place to the next person', async () => {
    const site = await aSite(1);
    const [inPlace, a, b] = [await site.assessed(), await site.assessed(), await site.assessed()];
    const admitted = await site.post(`/referrals/${inPlace.referralId}/admission`, selfPay).expect(201);
    await site.post(`/referrals/${a.referralId}/admission`, selfPay).expect(409);
    await site.post(`/referrals/${b.referralId}/admission`, selfPay).expect(409);
    const offeredTo = await site.discharge(admitted);
    const declined = await site.post(`/waitlist/${offeredTo!.entryId}/offer/decline`, {}).expect(200);
    expect(declined.body.offeredTo).toMatchObject({ referralId: b.referralId });
    await site.post(`/waitlist/${offeredTo!.entryId}/offer/decline`, {}).expect(409);
    await site.post(`/referrals/${b.referralId}/admission`, selfPay).expect(201);
  });

  const openTasks = async (site: { siteId: string; get: (path: string) => request.Test }) =>
    (await site.get(`/sites/${site.siteId}/follow-up-tasks`).expect(200)).body as Array<{ kind: string; referralId: string }>;

  it('a patient who declines keeps their place and is offered the next place that frees', async () => {
    const site = await aSite(1);
    const [inPlace, a, b] = [await site.assessed(), await site.assessed(), await site.assessed()];
    const first = await site.post(`/referrals/${inPlace.referralId}/admission`, selfPay).expect(201);
    await site.post(`/referrals/${a.referralId}/admission`, selfPay).expect(409);
    await site.post(`/referrals/${b.referralId}/admission`, selfPay).expect(409);
    const offeredTo = await site.discharge(first);
    expect(offeredTo).toMatchObject({ referralId: a.referralId });
    await site.post(`/waitlist/${offeredTo!.entryId}/offer/decline`, {}).expect(200);
    expect((await site.get(`/referrals/${a.referralId}/waitlist-position`).expect(200)).body).toMatchObject({ position: 1, of: 2, offer: 'declined' });
    const second = await site.post(`/referrals/${b.referralId}/admission`, selfPay).expect(201);

    expect(await site.discharge(second)).toMatchObject({ referralId: a.referralId });
    expect((await site.get(`/referrals/${a.referralId}/waitlist-position`).expect(200)).body).toMatchObject({ position: 1, of: 1, offer: 'pending' });
    await site.post(`/referrals/${a.referralId}/admission`, selfPay).expect(201);
  });

  it('room from a capacity increase goes to the head of the waitlist, not to the next walk-in', async () => {
    const site = await aSite(1);
    const [inPlace, waiting] = [await site.assessed(), await site.assessed()];
    await site.post(`/referrals/${inPlace.referralId}/admission`, selfPay).expect(201);
    await site.post(`/referrals/${waiting.referralId}/admission`, selfPay).expect(409);
    const walkIn = await site.assessed();

    await kit.resize(site.siteId, 2);
    await eventually(async () => expect(await openTasks(site)).toEqual([expect.objectContaining({ kind: 'offer-place', referralId: waiting.referralId })]));
    const refused = await site.post(`/referrals/${walkIn.referralId}/admission`, selfPay).expect(409);
    expect(refused.body.code).toBe('admission.site-full');
    await site.post(`/referrals/${waiting.referralId}/admission`, selfPay).expect(201);
    expect((await site.get(`/referrals/${walkIn.referralId}/waitlist-position`).expect(200)).body).toMatchObject({ position: 1, of: 1 });
  });

  it('an offer not taken up in time expires and passes to the next person, who keep their places in the list', async () => {
    const site = await aSite(1);
    const [inPlace, a, b] = [await site.assessed(), await site.assessed(), await site.assessed()];
    const first = await site.post(`/referrals/${inPlace.referralId}/admission`, selfPay).expect(201);
    await site.post(`/referrals/${a.referralId}/admission`, selfPay).expect(409);
    await site.post(`/referrals/${b.referralId}/admission`, selfPay).expect(409);
    expect(await site.discharge(first)).toMatchObject({ referralId: a.referralId });

    const clock = intake.get(Clock);
    const sweep = intake.get(WaitlistOfferExpiry);
    const realNow = clock.now();
    // Just short of the 48-hour default: the offer stands.
    const now = jest.spyOn(clock, 'now').mockReturnValue(new Date(realNow.getTime() + 47 * 3_600_000));
    try {
      await sweep.sweep();
      expect((await site.get(`/referrals/${a.referralId}/waitlist-position`).expect(200)).body).toMatchObject({ offer: 'pending' });
      now.mockReturnValue(new Date(realNow.getTime() + 49 * 3_600_000));
      await sweep.sweep();
    } finally {
      now.mockRestore();
    }
    expect((await site.get(`/referrals/${a.referralId}/waitlist-position`).expect(200)).body).toMatchObject({ position: 1, of: 2, offer: 'expired' });
    expect((await site.get(`/referrals/${b.referralId}/waitlist-position`).expect(200)).body).toMatchObject({ position: 2, of: 2, offer: 'pending' });
    expect(await openTasks(site)).toEqual([expect.objectContaining({ kind: 'offer-place', referralId: b.referralId })]);
    // The place now held for b is not a's to take; b takes it.
    await site.post(`/referrals/${a.referralId}/admission`, selfPay).expect(409);
    await site.post(`/referrals/${b.referralId}/admission`, selfPay).expect(201);
  });

  it('orders the waitlist urgent and inpatient step-downs first, then by arrival, and tells each patient their place', async () => {
    const site = await aSite(0);
    const routine = await site.assessed({ source: 'self' });
    const stepDown = await site.assessed({ source: 'inpatient-step-down' });
    const urgent = await site.assessed({ source: 'family', urgency: 'urgent' });
    for (const p of [routine, stepDown, urgent]) await site.post(`/referrals/${p.referralId}/admission`, selfPay).expect(409);
    const list = (await site.get(`/sites/${site.siteId}/waitlist`).expect(200)).body as Array<{ referralId: string; hasPriority: boolean }>;
    expect(list.map((e) => e.referralId)).toEqual([stepDown.referralId, urgent.referralId, routine.referralId]);
    expect((await site.get(`/referrals/${routine.referralId}/waitlist-position`).expect(200)).body).toMatchObject({ position: 3, of: 3, hasPriority: false });
    expect((await site.get(`/referrals/${urgent.referralId}/waitlist-position`).expect(200)).body).toMatchObject({ position: 2, of: 3, hasPriority: true });
    await site.post(`/referrals/${urgent.referralId}/closure`, { reason: { kind: 'declined' } }).expect(200);
    expect((await site.get(`/referrals/${routine.referralId}/waitlist-position`).expect(200)).body).toMatchObject({ position: 2, of: 2 });
  });

  it('summarises the pipeline per site: counts per stage and median days to assessment and admission', async () => {
    const site = await aSite(10);
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const admittedOne = await site.assessed({ receivedAt: tenDaysAgo });
    await site.post(`/referrals/${admittedOne.referralId}/admission`, selfPay).expect(201);
    await site.assessed({ receivedAt: new Date(Date.now() - 4 * 86_400_000).toISOString() });
    await site.post('/referrals', aReferral(site.siteId)).expect(201);
    const summary = (await site.get(`/sites/${site.siteId}/pipeline`).expect(200)).body;
    expect(summary).toMatchObject({
      siteId: site.siteId,
      counts: { new: 1, contacted: 0, 'pre-screened': 0, 'assessment-booked': 0, assessed: 1, admitted: 1, closed: 0 },
      medianDaysReferralToAssessment: 7,
      medianDaysReferralToAdmission: 10,
      capacity: 10,
      activeEpisodes: 1,
      waitlisted: 0,
    });
    const other = await tokenFor('intake_coordinator', [await kit.site()]);
    await http().get(`/sites/${site.siteId}/pipeline`).set('authorization', `Bearer ${other}`).expect(403);
    await http().get(`/sites/${site.siteId}/waitlist`).set('authorization', `Bearer ${other}`).expect(403);
  });
});
