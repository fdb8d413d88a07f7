import { AftercarePlanCreated, AftercarePlanUpdated, AftercareSafetyConcernRaised, OutcomeRecorded } from '@iop/contracts';
import { eventually, tokenFor } from '@iop/testing';
import { aDischarge, aSite, api, countRows, discharge, followUpsOf, startFollowUps, type FollowUpKit, type Site } from './follow-up-test-kit';

const PHQ9_CALM = [1, 1, 0, 1, 0, 0, 1, 0, 0];
const GAD7 = [1, 2, 1, 0, 0, 1, 0];
const BAM = {
  '1': 2,
  '2': 5,
  '3': 10,
  '4': 3,
  '5': 1,
  '6': 0,
  '8': 3,
  '9': 2,
  '10': 12,
  '11': 2,
  '12': 1,
  '13': 20,
  '14': true,
  '15': 1,
  '16': 30,
  '17': 3,
};

const planItems = [
  { kind: 'continuing-care', owner: 'clinician', startsOn: '2026-03-03', programId: null, levelOfCare: '1', provider: 'Harbor Outpatient', sessionsPerWeek: 1 },
  { kind: 'alumni-group', owner: 'peer-support', startsOn: '2026-03-05', nextOn: '2026-03-05' },
  { kind: 'mutual-help', owner: 'patient', startsOn: '2026-03-03', fellowship: 'smart-recovery', meetingsPerWeek: 3 },
  { kind: 'sober-living', owner: 'case-manager', startsOn: '2026-03-02', endsOn: '2026-09-02', residence: 'Maple House', nextOn: '2026-03-02' },
  {
    kind: 'mat-continuation',
    owner: 'prescriber',
    startsOn: '2026-03-02',
    medication: 'buprenorphine',
    prescriber: 'Dr. Rivera',
    nextAppointmentOn: '2026-03-09',
  },
  { kind: 'family-support', owner: 'family', startsOn: '2026-03-10', support: 'craft' },
  {
    kind: 'crisis-plan',
    owner: 'patient',
    startsOn: '2026-03-02',
    warningSigns: ['skipping meals'],
    supportContacts: [{ name: 'Sam', phone: '+1 510 555 0100' }],
  },
];

describe('outcome check-ins and aftercare plans after a discharge (real Postgres, Redis and broker)', () => {
  let kit: FollowUpKit;
  let site: Site;

  beforeAll(async () => {
    kit = await startFollowUps();
    site = await aSite(kit, 'America/New_York');
  });
  afterAll(() => kit?.close());

  const dischargedEpisode = async () => {
    const d = await discharge(kit, aDischarge(site, { dischargedOn: '2026-03-02' }));
    const followUps = await followUpsOf(kit, d.episodeId);
    return { ...d, week: followUps[0]!.follow_up_id };
  };

  describe('outcome check-ins', () => {
    it('scores PHQ-9, GAD-7 and the BAM as published and publishes the scores alone', async () => {
      const d = await dischargedEpisode();
      const recorded = await kit.eventsOf(OutcomeRecorded);
      const res = await api(kit, site.staff).post(`/episodes/${d.episodeId}/outcomes`, {
        followUpId: d.week,
        takenAt: '2026-03-09T15:00:00Z',
        phq9: PHQ9_CALM,
        gad7: GAD7,
        bam: BAM,
        daysAbstinent: 7,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        phq9: { total: 4, band: 'minimal', safetyFollowUpRequired: false },
        gad7: { total: 5, band: 'mild' },
        bam: { use: 2, risk: 12, protective: 18, progressSatisfaction: 3 },
        daysAbstinent: 7,
        safetyConcernId: null,
      });
      await eventually(() => expect(recorded.filter((e) => e.checkInId === res.body.checkInId)).toHaveLength(1));
      const event = recorded.find((e) => e.checkInId === res.body.checkInId)!;
      expect(event).toEqual({
        checkInId: res.body.checkInId,
        episodeId: d.episodeId,
        patientId: d.patientId,
        siteId: site.siteId,
        followUpId: d.week,
        takenAt: '2026-03-09T15:00:00.000Z',
        phq9: { total: 4, band: 'minimal' },
        gad7: { total: 5, band: 'mild' },
        bam: { use: 2, risk: 12, protective: 18 },
        daysAbstinent: 7,
        occurredAt: expect.any(String),
      });
    });

    it('raises a safety concern at once when PHQ-9 item 9 is above 0, with ids and the risk level only', async () => {
      const d = await dischargedEpisode();
      const concerns = await kit.eventsOf(AftercareSafetyConcernRaised);
      const res = await api(kit, site.staff).post(`/episodes/${d.episodeId}/outcomes`, { phq9: [0, 0, 0, 0, 0, 0, 0, 0, 2] });
      expect(res.status).toBe(201);
      expect(res.body.phq9).toMatchObject({ total: 2, safetyFollowUpRequired: true });
      expect(res.body.safetyConcernId).toEqual(expect.any(String));
      await eventually(() => expect(concerns.filter((e) => e.checkInId === res.body.checkInId)).toHaveLength(1));
      expect(concerns.find((e) => e.checkInId === res.body.checkInId)).toEqual({
        concernId: res.body.safetyConcernId,
        episodeId: d.episodeId,
        patientId: d.patientId,
        siteId: site.siteId,
        checkInId: res.body.checkInId,
        riskLevel: 'moderate',
        origin: 'phq-9',
        occurredAt: expect.any(String),
      });
    });

    it('names each out-of-range or missing item (422) and writes nothing', async () => {
      const d = await dischargedEpisode();
      const staff = api(kit, site.staff);
      const outOfRange = await staff.post(`/episodes/${d.episodeId}/outcomes`, { phq9: [0, 0, 0, 4, 0, 0, 0, 0, 0], gad7: [0, 0, 0, 0, 0, 0] });
      expect(outOfRange.status).toBe(422);
      expect(JSON.stringify(outOfRange.body)).toContain('Item 4: the answer must be a whole number from 0 to 3 (got 4).');
      expect(JSON.stringify(outOfRange.body)).toContain('Item 7 is unanswered.');
      const bam: Record<string, unknown> = { ...BAM, '8': 7 };
      delete bam['13'];
      const badBam = await staff.post(`/episodes/${d.episodeId}/outcomes`, { bam });
      expect(badBam.status).toBe(422);
      expect(JSON.stringify(badBam.body)).toContain('Item 8: the answer must be a whole number from 0 to 4 (got 7).');
      expect(JSON.stringify(badBam.body)).toContain('Item 13: unanswered.');
      expect((await staff.post(`/episodes/${d.episodeId}/outcomes`, { phq9: ['three'] })).status).toBe(400);
      expect((await staff.post(`/episodes/${d.episodeId}/outcomes`, {})).status).toBe(400);
      expect((await staff.post(`/episodes/${d.episodeId}/outcomes`, { daysAbstinent: -1 })).status).toBe(400);
      expect((await staff.post(`/episodes/${d.episodeId}/outcomes`, { daysAbstinent: 3, takenAt: '2026-03-01T12:00:00Z' })).status).toBe(422);
      expect(await countRows(kit, 'outcome_check_ins', 'episode_id = $1', [d.episodeId])).toBe(0);
    });

    it('refuses a check-in for a patient without a discharge, an unknown follow-up or another site (404) and writes nothing', async () => {
      const d = await dischargedEpisode();
      const staff = api(kit, site.staff);
      const neverDischarged = crypto.randomUUID();
      const none = await staff.post(`/episodes/${neverDischarged}/outcomes`, { phq9: PHQ9_CALM });
      expect(none.status).toBe(404);
      expect(none.body.code).toBe('discharge.not-found');
      expect((await staff.post(`/episodes/${d.episodeId}/outcomes`, { followUpId: crypto.randomUUID(), phq9: PHQ9_CALM })).status).toBe(404);
      const elsewhere = api(kit, await tokenFor('clinician', [crypto.randomUUID()]));
      expect((await elsewhere.post(`/episodes/${d.episodeId}/outcomes`, { phq9: [0, 0, 0, 0, 0, 0, 0, 0, 3] })).status).toBe(404);
      expect(await countRows(kit, 'outcome_check_ins', 'episode_id = ANY($1::uuid[])', [[d.episodeId, neverDischarged]])).toBe(0);
      expect(await countRows(kit, 'outcome_safety_concerns', 'episode_id = $1', [d.episodeId])).toBe(0);
    });
  });

  describe('the aftercare plan', () => {
    it('is written, revised with every version kept, and announced with kinds, owners and dates only', async () => {
      const d = await dischargedEpisode();
      const created = await kit.eventsOf(AftercarePlanCreated);
      const updated = await kit.eventsOf(AftercarePlanUpdated);
      const staff = api(kit, site.staff);

      const first = await staff.put(`/episodes/${d.episodeId}/aftercare-plan`, { items: planItems });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ episodeId: d.episodeId, patientId: d.patientId, version: 1 });
      expect(first.body.items).toHaveLength(7);
      expect(first.body.items[6]).toMatchObject({ kind: 'crisis-plan', crisisLine: '988' });

      const second = await staff.put(`/episodes/${d.episodeId}/aftercare-plan`, {
        expectedVersion: 1,
        items: [...planItems.slice(0, 2), { kind: 'mutual-help', owner: 'patient', startsOn: '2026-03-03', fellowship: 'na', meetingsPerWeek: 5 }],
      });
      expect(second.status).toBe(200);
      expect(second.body.version).toBe(2);
      expect((await staff.put(`/episodes/${d.episodeId}/aftercare-plan`, { expectedVersion: 1, items: planItems })).status).toBe(409);

      expect((await staff.get(`/episodes/${d.episodeId}/aftercare-plan`)).body).toMatchObject({ version: 2, items: [{}, {}, { fellowship: 'na' }] });
      const versions = await staff.get(`/episodes/${d.episodeId}/aftercare-plan/versions`);
      expect(versions.body.versions.map((v: { version: number; items: unknown[] }) => [v.version, v.items.length])).toEqual([
        [1, 7],
        [2, 3],
      ]);

      await eventually(() => expect(created.filter((e) => e.episodeId === d.episodeId)).toHaveLength(1));
      await eventually(() => expect(updated.filter((e) => e.episodeId === d.episodeId)).toHaveLength(1));
      const announced = created.find((e) => e.episodeId === d.episodeId)!;
      expect(announced.itemCounts).toEqual({
        'continuing-care': 1,
        'alumni-group': 1,
        'mutual-help': 1,
        'sober-living': 1,
        'mat-continuation': 1,
        'family-support': 1,
        'crisis-plan': 1,
      });
      expect(announced.items[4]).toEqual({ kind: 'mat-continuation', owner: 'prescriber', startsOn: '2026-03-02', endsOn: null, nextOn: '2026-03-09' });
      // No free text leaves aftercare: not the residence, the prescriber, the provider, a contact or a warning sign.
      const text = JSON.stringify(announced);
      for (const secret of ['Maple House', 'Rivera', 'Harbor Outpatient', 'Sam', '555', 'skipping meals']) expect(text).not.toContain(secret);
      expect(updated.find((e) => e.episodeId === d.episodeId)).toMatchObject({ version: 2, itemCounts: { 'mutual-help': 1, 'crisis-plan': 0 } });
    });

    it('refuses a plan for an episode that was never discharged, of another site, or with bad items, and writes nothing', async () => {
      const d = await dischargedEpisode();
      const staff = api(kit, site.staff);
      expect((await staff.put(`/episodes/${crypto.randomUUID()}/aftercare-plan`, { items: planItems })).status).toBe(404);
      expect((await staff.get(`/episodes/${d.episodeId}/aftercare-plan`)).status).toBe(404);
      const elsewhere = api(kit, await tokenFor('clinician', [crypto.randomUUID()]));
      expect((await elsewhere.put(`/episodes/${d.episodeId}/aftercare-plan`, { items: planItems })).status).toBe(404);
      expect((await staff.put(`/episodes/${d.episodeId}/aftercare-plan`, { items: [] })).status).toBe(400);
      expect(
        (await staff.put(`/episodes/${d.episodeId}/aftercare-plan`, { items: [{ kind: 'astrology', owner: 'patient', startsOn: '2026-03-02' }] })).status,
      ).toBe(400);
      const noPrescriber = { kind: 'mat-continuation', owner: 'prescriber', startsOn: '2026-03-02', medication: 'naltrexone', nextAppointmentOn: '2026-03-09' };
      expect((await staff.put(`/episodes/${d.episodeId}/aftercare-plan`, { items: [noPrescriber] })).status).toBe(400);
      const backwards = { kind: 'alumni-group', owner: 'patient', startsOn: '2026-03-09', endsOn: '2026-03-01' };
      expect((await staff.put(`/episodes/${d.episodeId}/aftercare-plan`, { items: [backwards] })).status).toBe(400);
      expect(await countRows(kit, 'plans', 'episode_id = $1', [d.episodeId])).toBe(0);
    });
  });
});
