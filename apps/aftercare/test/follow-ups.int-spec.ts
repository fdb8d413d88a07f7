import { DischargeAmended, FollowUpCompleted, FollowUpDue, FollowUpMissed, PatientDischarged, ReadmissionReferred, deadLetterTopic } from '@iop/contracts';
import { createKafka } from '@iop/messaging';
import { eventually, publishEvent, quietLogger, tokenFor, uniqueName } from '@iop/testing';
import { aDischarge, aSite, api, countRows, discharge, followUpsOf, startFollowUps, type Discharge, type FollowUpKit, type Site } from './follow-up-test-kit';

const amendmentOf = (d: Discharge) => ({
  dischargeId: d.dischargeId,
  episodeId: d.episodeId,
  patientId: d.patientId,
  siteId: d.siteId,
  amendment: 1,
  type: d.type,
  reasonCode: d.reasonCode,
  dischargedOn: d.dischargedOn,
  occurredAt: new Date().toISOString(),
});

describe('follow-ups after a discharge (real Postgres, Redis and broker)', () => {
  let kit: FollowUpKit;
  let losAngeles: Site;

  beforeAll(async () => {
    kit = await startFollowUps();
    losAngeles = await aSite(kit, 'America/Los_Angeles');
  });
  afterAll(() => kit?.close());

  it("plans +7, +30 and +90 days in the site's zone, across the end of daylight time", async () => {
    const d = await discharge(kit, aDischarge(losAngeles, { dischargedOn: '2026-10-28' }));
    const [week, month, quarter] = await followUpsOf(kit, d.episodeId);
    expect(week).toMatchObject({ day_offset: 7, due_on: '2026-11-04', state: 'due' });
    // Los Angeles leaves daylight time on 1 November: the due day starts at 08:00Z (midnight PST), not 07:00Z.
    expect(week!.due_at.toISOString()).toBe('2026-11-04T08:00:00.000Z');
    expect(week!.overdue_at.toISOString()).toBe('2026-11-05T08:00:00.000Z');
    expect(month).toMatchObject({ day_offset: 30, due_on: '2026-11-27' });
    expect(quarter).toMatchObject({ day_offset: 90, due_on: '2027-01-26' });

    const view = await api(kit, losAngeles.staff).get(`/episodes/${d.episodeId}/follow-ups`);
    expect(view.status).toBe(200);
    expect(view.body.followUps.map((f: { dueOn: string }) => f.dueOn)).toEqual(['2026-11-04', '2026-11-27', '2027-01-26']);
  });

  it('plans the follow-ups once when the discharge is delivered again', async () => {
    const d = aDischarge(losAngeles, { dischargedOn: '2026-05-04' });
    await discharge(kit, d);
    await discharge(kit, d);
    await followUpsOf(kit, d.episodeId);
    // A third copy, then an amendment on the same key (so consumed after it) that changes nothing but its number.
    await discharge(kit, d);
    await publishEvent(kit.producer, DischargeAmended, { ...amendmentOf(d), amendment: 1 });
    await eventually(async () => expect(await countRows(kit, 'follow_up_discharges', 'episode_id = $1 AND amendment = 1', [d.episodeId])).toBe(1));
    expect(await countRows(kit, 'follow_ups', 'episode_id = $1', [d.episodeId])).toBe(3);
    expect(await countRows(kit, 'follow_up_discharges', 'episode_id = $1', [d.episodeId])).toBe(1);
  });

  it('announces a follow-up when its day starts and misses it when the day ends with no contact, once across racing sweeps', async () => {
    const d = await discharge(kit, aDischarge(losAngeles, { dischargedOn: '2026-10-28' }));
    const [week] = await followUpsOf(kit, d.episodeId);
    const due = await kit.eventsOf(FollowUpDue);
    const missed = await kit.eventsOf(FollowUpMissed);

    await Promise.all([kit.sweep.runOnce(week!.due_at), kit.sweep.runOnce(week!.due_at)]);
    await eventually(() => expect(due.filter((e) => e.followUpId === week!.follow_up_id)).toHaveLength(1));
    expect(due.find((e) => e.followUpId === week!.follow_up_id)).toMatchObject({ episodeId: d.episodeId, dayOffset: 7, dueOn: '2026-11-04' });

    await api(kit, losAngeles.staff)
      .post(`/follow-ups/${week!.follow_up_id}/attempts`, { method: 'phone', outcome: 'no-answer', at: '2026-11-04T18:00:00Z' })
      .expect(201);
    await Promise.all([kit.sweep.runOnce(week!.overdue_at), kit.sweep.runOnce(week!.overdue_at)]);
    await eventually(() => expect(missed.filter((e) => e.followUpId === week!.follow_up_id)).toHaveLength(1));
    expect(missed.find((e) => e.followUpId === week!.follow_up_id)).toMatchObject({ attempts: 1 });
    const [after] = await followUpsOf(kit, d.episodeId);
    expect(after!.state).toBe('overdue');
    // The +30 day has not started: nothing said about it.
    expect(due.some((e) => e.episodeId === d.episodeId && e.dayOffset === 30)).toBe(false);
  });

  it('completes a follow-up when an attempt reaches the patient, and refuses a second close', async () => {
    const d = await discharge(kit, aDischarge(losAngeles, { dischargedOn: '2026-03-02' }));
    const [week] = await followUpsOf(kit, d.episodeId);
    const completed = await kit.eventsOf(FollowUpCompleted);
    const staff = api(kit, losAngeles.staff);
    await staff.post(`/follow-ups/${week!.follow_up_id}/attempts`, { method: 'phone', outcome: 'left-message', at: '2026-03-06T17:00:00Z' }).expect(201);
    const done = await staff.post(`/follow-ups/${week!.follow_up_id}/attempts`, { method: 'video', outcome: 'reached', at: '2026-03-07T17:30:00Z' });
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ state: 'done', method: 'video', completedAt: '2026-03-07T17:30:00.000Z' });
    expect(done.body.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['left-message', 'reached']);
    await eventually(() => expect(completed.filter((e) => e.followUpId === week!.follow_up_id)).toHaveLength(1));
    expect(completed.find((e) => e.followUpId === week!.follow_up_id)).toMatchObject({ result: 'done', daysAfterDischarge: 5, attempts: 2, method: 'video' });

    const again = await staff.post(`/follow-ups/${week!.follow_up_id}/attempts`, { method: 'phone', outcome: 'reached' });
    expect(again.status).toBe(409);
    expect(await countRows(kit, 'follow_up_attempts', 'follow_up_id = $1', [week!.follow_up_id])).toBe(2);
  });

  it('closes a follow-up as unreachable only after an attempt', async () => {
    const d = await discharge(kit, aDischarge(losAngeles, { dischargedOn: '2026-03-03' }));
    const [, month] = await followUpsOf(kit, d.episodeId);
    const staff = api(kit, losAngeles.staff);
    expect((await staff.post(`/follow-ups/${month!.follow_up_id}/unreachable`)).status).toBe(422);
    await staff.post(`/follow-ups/${month!.follow_up_id}/attempts`, { method: 'phone', outcome: 'wrong-number', at: '2026-04-02T17:00:00Z' }).expect(201);
    const closed = await staff.post(`/follow-ups/${month!.follow_up_id}/unreachable`);
    expect(closed.status).toBe(200);
    expect(closed.body.state).toBe('unreachable');
  });

  it('re-plans the open follow-ups when an amendment moves the discharge date, and leaves a completed one as it was', async () => {
    const d = await discharge(kit, aDischarge(losAngeles, { dischargedOn: '2026-06-01' }));
    const [week] = await followUpsOf(kit, d.episodeId);
    await api(kit, losAngeles.staff)
      .post(`/follow-ups/${week!.follow_up_id}/attempts`, { method: 'phone', outcome: 'reached', at: '2026-06-05T18:00:00Z' })
      .expect(201);
    const amendment = { ...amendmentOf(d), dischargedOn: '2026-06-03' };
    await publishEvent(kit.producer, DischargeAmended, amendment);
    await eventually(async () => {
      const [, month, quarter] = await followUpsOf(kit, d.episodeId);
      expect(month!.due_on).toBe('2026-07-03');
      expect(quarter!.due_on).toBe('2026-09-01');
    });
    const [after] = await followUpsOf(kit, d.episodeId);
    expect(after).toMatchObject({ due_on: '2026-06-08', state: 'done' });
    // An amendment arriving again changes nothing; the next one (same date) shows it was consumed.
    await publishEvent(kit.producer, DischargeAmended, { ...amendment, dischargedOn: '2026-06-20' });
    await publishEvent(kit.producer, DischargeAmended, { ...amendment, amendment: 2 });
    await eventually(async () => expect(await countRows(kit, 'follow_up_discharges', 'episode_id = $1 AND amendment = 2', [d.episodeId])).toBe(1));
    const [, month] = await followUpsOf(kit, d.episodeId);
    expect(month!.due_on).toBe('2026-07-03');
  });

  it("lists the site's open follow-ups, overdue before due, a page at a time, each listing audited", async () => {
    const site = await aSite(kit, 'America/Chicago');
    const staff = api(kit, site.staff);
    expect((await staff.get(`/sites/${site.siteId}/follow-ups`).expect(200)).body).toEqual({ siteId: site.siteId, items: [], nextCursor: null });

    const early = await discharge(kit, aDischarge(site, { dischargedOn: '2026-02-02' }));
    const late = await discharge(kit, aDischarge(site, { dischargedOn: '2026-02-10' }));
    const [earlyWeek] = await followUpsOf(kit, early.episodeId);
    const [lateWeek] = await followUpsOf(kit, late.episodeId);
    await kit.sweep.runOnce(earlyWeek!.overdue_at);
    await staff.post(`/follow-ups/${lateWeek!.follow_up_id}/attempts`, { method: 'phone', outcome: 'reached', at: '2026-02-17T16:00:00Z' }).expect(201);

    const open = (await staff.get(`/sites/${site.siteId}/follow-ups`).expect(200)).body;
    const listed = (page: { items: Array<{ episodeId: string; dayOffset: number; state: string }> }) =>
      page.items.map((f) => `${f.episodeId === early.episodeId ? 'early' : 'late'}+${f.dayOffset} ${f.state}`);
    expect(listed(open)).toEqual(['early+7 overdue', 'early+30 due', 'late+30 due', 'early+90 due', 'late+90 due']);
    expect(open.nextCursor).toBeNull();
    expect(listed((await staff.get(`/sites/${site.siteId}/follow-ups?state=done`).expect(200)).body)).toEqual(['late+7 done']);
    expect(listed((await staff.get(`/sites/${site.siteId}/follow-ups?dueBy=2026-03-05`).expect(200)).body)).toEqual(['early+7 overdue', 'early+30 due']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ episodeId: string; dayOffset: number; state: string }>; nextCursor: string | null } = (
        await staff.get(`/sites/${site.siteId}/follow-ups?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200)
      ).body;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...listed(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(listed(open));
    expect(
      await kit.infra.adminQuery(`SELECT count(*)::int AS n FROM aftercare.audit_log WHERE patient_id = $1 AND action = 'list' AND resource = $2`, [
        early.patientId,
        `sites/${site.siteId}/follow-ups`,
      ]),
    ).toEqual([{ n: 1 + 1 + 2 }]); // once per page that listed the patient: the open list, dueBy, and two of the three pages

    const elsewhere = api(kit, await tokenFor('clinician', [crypto.randomUUID()]));
    expect((await elsewhere.get(`/sites/${site.siteId}/follow-ups`)).status).toBe(403);
    for (const bad of ['state=pending', 'dueBy=2026-02-30', 'limit=0', 'limit=500', 'cursor=bm90LWEtY3Vyc29y', 'siteId=x']) {
      const answer = await staff.get(`/sites/${site.siteId}/follow-ups?${bad}`);
      expect({ bad, status: answer.status }).toEqual({ bad, status: 400 });
      expect(answer.body.detail).toEqual(expect.any(String));
    }
  });

  it('sends a readmission referral from a follow-up once', async () => {
    const d = await discharge(kit, aDischarge(losAngeles, { dischargedOn: '2026-03-09' }));
    const [week] = await followUpsOf(kit, d.episodeId);
    const referred = await kit.eventsOf(ReadmissionReferred);
    const clinician = api(kit, losAngeles.staff);
    const sent = await clinician.post(`/follow-ups/${week!.follow_up_id}/readmission-referrals`, { reason: 'relapse' });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ followUpId: week!.follow_up_id, priorEpisodeId: d.episodeId, patientId: d.patientId, reason: 'relapse' });
    await eventually(() => expect(referred.filter((e) => e.followUpId === week!.follow_up_id)).toHaveLength(1));
    expect(referred.find((e) => e.followUpId === week!.follow_up_id)).toEqual({
      readmissionReferralId: sent.body.readmissionReferralId,
      patientId: d.patientId,
      priorEpisodeId: d.episodeId,
      siteId: losAngeles.siteId,
      followUpId: week!.follow_up_id,
      reason: 'relapse',
      occurredAt: expect.any(String),
    });
    expect((await clinician.post(`/follow-ups/${week!.follow_up_id}/readmission-referrals`, { reason: 'high-risk' })).status).toBe(409);
    expect((await clinician.post(`/follow-ups/${week!.follow_up_id}/readmission-referrals`, { reason: 'bored' })).status).toBe(400);
  });

  describe('refuses what it cannot do and writes nothing', () => {
    it('answers 404 for an unknown follow-up or an episode that was never discharged', async () => {
      const staff = api(kit, losAngeles.staff);
      const unknown = crypto.randomUUID();
      expect((await staff.get(`/episodes/${unknown}/follow-ups`)).status).toBe(404);
      expect((await staff.get(`/follow-ups/${unknown}`)).status).toBe(404);
      expect((await staff.post(`/follow-ups/${unknown}/attempts`, { method: 'phone', outcome: 'reached' })).status).toBe(404);
      expect((await staff.post(`/follow-ups/${unknown}/readmission-referrals`, { reason: 'relapse' })).status).toBe(404);
      expect((await staff.get(`/follow-ups/not-a-uuid`)).status).toBe(400);
      expect(await countRows(kit, 'follow_up_attempts', 'follow_up_id = $1', [unknown])).toBe(0);
    });

    it("hides another site's follow-ups (404) and changes nothing", async () => {
      const d = await discharge(kit, aDischarge(losAngeles, { dischargedOn: '2026-03-10' }));
      const [week] = await followUpsOf(kit, d.episodeId);
      const elsewhere = api(kit, await tokenFor('clinician', [crypto.randomUUID()]));
      expect((await elsewhere.get(`/episodes/${d.episodeId}/follow-ups`)).status).toBe(404);
      expect((await elsewhere.post(`/follow-ups/${week!.follow_up_id}/attempts`, { method: 'phone', outcome: 'reached' })).status).toBe(404);
      expect((await elsewhere.post(`/follow-ups/${week!.follow_up_id}/readmission-referrals`, { reason: 'relapse' })).status).toBe(404);
      expect(await countRows(kit, 'follow_up_attempts', 'follow_up_id = $1', [week!.follow_up_id])).toBe(0);
      expect(await countRows(kit, 'readmission_referrals', 'follow_up_id = $1', [week!.follow_up_id])).toBe(0);
      const [after] = await followUpsOf(kit, d.episodeId);
      expect(after!.state).toBe('due');
    });

    it('dead-letters a discharge at a site aftercare does not know (its due dates would be wrong) and plans nothing', async () => {
      const d = aDischarge({ ...losAngeles, siteId: crypto.randomUUID() }, { dischargedOn: '2026-03-12' });
      const eventId = await publishEvent(kit.producer, PatientDischarged, d);
      const reasons: string[] = [];
      const reader = createKafka(uniqueName('dead-letter-reader'), quietLogger()).consumer({ groupId: uniqueName('dead-letters'), maxWaitTimeInMs: 100 });
      await reader.connect();
      try {
        await reader.subscribe({ topic: deadLetterTopic('aftercare'), fromBeginning: true });
        await reader.run({
          eachMessage: async ({ message }) => {
            if (message.headers?.['ce_id']?.toString() === eventId) reasons.push(message.headers['x-dead-letter-reason']?.toString() ?? '');
          },
        });
        await eventually(() => expect(reasons).toEqual(['handler-rejected']), { timeoutMs: 30_000 });
      } finally {
        await reader.disconnect();
      }
      expect(await countRows(kit, 'follow_up_discharges', 'episode_id = $1', [d.episodeId])).toBe(0);
      expect(await countRows(kit, 'follow_ups', 'episode_id = $1', [d.episodeId])).toBe(0);
    });

    it('refuses a bad attempt: unknown method (400), a time in the future or before the discharge (422)', async () => {
      const d = await discharge(kit, aDischarge(losAngeles, { dischargedOn: '2026-03-11' }));
      const [week] = await followUpsOf(kit, d.episodeId);
      const staff = api(kit, losAngeles.staff);
      const path = `/follow-ups/${week!.follow_up_id}/attempts`;
      expect((await staff.post(path, { method: 'pigeon', outcome: 'reached' })).status).toBe(400);
      expect((await staff.post(path, { method: 'phone', outcome: 'reached', extra: 1 })).status).toBe(400);
      expect((await staff.post(path, { method: 'phone', outcome: 'reached', at: '2099-01-01T00:00:00Z' })).status).toBe(422);
      expect((await staff.post(path, { method: 'phone', outcome: 'reached', at: '2026-03-10T12:00:00Z' })).status).toBe(422);
      expect(await countRows(kit, 'follow_up_attempts', 'follow_up_id = $1', [week!.follow_up_id])).toBe(0);
    });
  });
});
