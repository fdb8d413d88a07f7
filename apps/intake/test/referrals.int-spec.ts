import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { inScopedTransaction, sitesScope } from '@iop/persistence';
import { startService, tokenFor, useTestInfrastructure, type TestInfrastructure } from '@iop/testing';
import { IntakeModule } from '../src/intake.module';
import { aCaller, aReferral, intakeKit, type Kit } from './intake-test-kit';

describe('referrals: recording, repeat callers, the lifecycle and who may see them', () => {
  let infra: TestInfrastructure;
  let intake: INestApplication;
  let kit: Kit;
  let siteA: string;
  let siteB: string;
  let coordinatorA: string;

  beforeAll(async () => {
    infra = await useTestInfrastructure();
    intake = await startService(IntakeModule, 'intake');
    kit = await intakeKit(infra, intake);
    [siteA, siteB] = [await kit.site(), await kit.site()];
    coordinatorA = await tokenFor('intake_coordinator', [siteA]);
  });

  afterAll(async () => {
    await kit?.close();
    await intake?.close();
  });

  const http = () => request(intake.getHttpServer());
  const refer = async (body: Record<string, unknown>, token = coordinatorA) =>
    (await http().post('/referrals').set('authorization', `Bearer ${token}`).send(body).expect(201)).body as {
      referralId: string;
      patientId: string;
      urgency: string;
      repeatCaller: { linked: boolean; match?: { score: number; reasons: Array<{ text: string }> }; possibleMatches: Array<{ knownCallerId: string }> };
    };
  const countRows = async (table: string) => (await infra.adminQuery<{ n: number }>(`SELECT count(*)::int AS n FROM intake.${table}`))[0]!.n;

  it('records a referral from a hospital as expedited and announces it with ids only', async () => {
    const caller = aCaller();
    const created = await refer(aReferral(siteA, { source: 'hospital-ed', sourceDetail: 'Mass General ED', caller }));
    expect(created).toMatchObject({ stage: 'new', urgency: 'expedited', repeatCaller: { linked: false } });
    const [event] = await infra.adminQuery<{ type: string; payload: Record<string, unknown> }>(`SELECT type, payload FROM intake.outbox WHERE key = $1`, [
      created.referralId,
    ]);
    expect(event!.type).toBe('intake.referral-received');
    expect(event!.payload).toMatchObject({
      referralId: created.referralId,
      patientId: created.patientId,
      siteId: siteA,
      source: 'hospital-ed',
      repeatCaller: false,
    });
    const text = JSON.stringify(event);
    for (const phi of [caller.givenName, caller.familyName, caller.dateOfBirth, caller.phone, 'Mass General']) expect(text).not.toContain(phi);
  });

  it('links a repeat caller with a misspelt name and reformatted phone to the patient on file, with the reasons', async () => {
    const first = await refer(
      aReferral(siteA, { caller: aCaller({ givenName: 'Katherine', familyName: 'Smith', dateOfBirth: '1987-04-12', phone: '617-555-0142' }) }),
    );
    const again = await refer(aReferral(siteA, { caller: { givenName: 'Kathrine', familyName: 'Smyth', dateOfBirth: '1987-04-12', phone: '(617) 555 0142' } }));
    expect(again.patientId).toBe(first.patientId);
    expect(again.repeatCaller.linked).toBe(true);
    expect(again.repeatCaller.match!.score).toBeGreaterThanOrEqual(85);
    expect(again.repeatCaller.match!.reasons.map((r) => r.text)).toEqual(
      expect.arrayContaining(['Same date of birth', 'Same phone number (formatting ignored)']),
    );
    const patients = await infra.adminQuery(`SELECT 1 FROM intake.patients WHERE family_name IN ('Smith', 'Smyth') AND site_id = $1`, [siteA]);
    expect(patients).toHaveLength(1);
  });

  it('twenty simultaneous referrals of the same caller make one patient record, with all twenty referrals linked to it', async () => {
    const caller = aCaller();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => http().post('/referrals').set('authorization', `Bearer ${coordinatorA}`).send(aReferral(siteA, { caller }))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const patientIds = [...new Set(answers.map((a) => a.body.patientId as string))];
    expect(patientIds).toHaveLength(1);
    expect(answers.filter((a) => a.body.repeatCaller.linked)).toHaveLength(19);
    const patients = await infra.adminQuery(`SELECT 1 FROM intake.patients WHERE site_id = $1 AND phone_normalised = $2`, [siteA, caller.phone]);
    expect(patients).toHaveLength(1);
    const referrals = await infra.adminQuery(`SELECT 1 FROM intake.referrals WHERE patient_id = $1`, [patientIds[0]]);
    expect(referrals).toHaveLength(20);
  });

  describe("correcting a patient's contact details", () => {
    const correct = (patientId: string, body: unknown, token = coordinatorA) =>
      http()
        .patch(`/patients/${patientId}`)
        .set('authorization', `Bearer ${token}`)
        .send(body as object);

    it('fixes a misheard name and a mistyped phone, audits which fields changed (not their values), and the next call finds the record', async () => {
      const first = await refer(
        aReferral(siteA, { caller: aCaller({ givenName: 'Marcus', familyName: 'Oyelowo', dateOfBirth: '1979-08-30', phone: '617-555-0100' }) }),
      );
      const corrected = await correct(first.patientId, { familyName: 'Oyelaran', phone: '617-555-0199' }).expect(200);
      expect(corrected.body).toMatchObject({
        patientId: first.patientId,
        givenName: 'Marcus',
        familyName: 'Oyelaran',
        dateOfBirth: '1979-08-30',
        phone: '617-555-0199',
      });
      const [audit] = await infra.adminQuery<{ action: string; reason: string }>(
        `SELECT action, reason FROM intake.audit_log WHERE patient_id = $1 AND action = 'update'`,
        [first.patientId],
      );
      expect(audit).toEqual({ action: 'update', reason: 'corrected familyName, phone' });
      expect(JSON.stringify(audit)).not.toContain('Oyelaran');
      // The patient calls back from the number on file now, with the birth date: linked, not duplicated.
      const again = await refer(
        aReferral(siteA, { caller: { givenName: 'Marcus', familyName: 'Oyelaran', dateOfBirth: '1979-08-30', phone: '(617) 555-0199' } }),
      );
      expect(again.patientId).toBe(first.patientId);
    });

    it('refuses an empty, unknown-field or impossible correction and changes nothing', async () => {
      const { patientId } = await refer(aReferral(siteA, { caller: aCaller({ givenName: 'Ines', familyName: 'Duarte' }) }));
      const empty = await correct(patientId, {}).expect(400);
      expect(empty.body.detail).toContain('at least one of');
      await correct(patientId, { nickname: 'Nessa' }).expect(400);
      const future = await correct(patientId, { dateOfBirth: '2999-01-01' }).expect(400);
      expect(future.body.detail).toContain('future');
      await correct(patientId, { givenName: '   ' }).expect(400);
      const [row] = await infra.adminQuery(`SELECT given_name, family_name FROM intake.patients WHERE patient_id = $1`, [patientId]);
      expect(row).toEqual({ given_name: 'Ines', family_name: 'Duarte' });
      expect(await infra.adminQuery(`SELECT 1 FROM intake.audit_log WHERE patient_id = $1 AND action = 'update'`, [patientId])).toHaveLength(0);
    });

    it("another site's coordinator cannot correct the patient, or learn that they exist", async () => {
      const { patientId } = await refer(aReferral(siteA, { caller: aCaller({ givenName: 'Theo', familyName: 'Brandt' }) }));
      const coordinatorB = await tokenFor('intake_coordinator', [siteB]);
      const refused = await correct(patientId, { familyName: 'Changed' }, coordinatorB).expect(404);
      expect(refused.body.detail).toContain('at the sites you can see');
      const [row] = await infra.adminQuery(`SELECT family_name FROM intake.patients WHERE patient_id = $1`, [patientId]);
      expect(row).toEqual({ family_name: 'Brandt' });
    });
  });

  it('does not link a weaker match but shows it to the coordinator to confirm', async () => {
    const first = await refer(
      aReferral(siteA, { caller: aCaller({ givenName: 'Michael', familyName: 'Okafor', dateOfBirth: '1990-01-05', phone: '6175550199' }) }),
    );
    const maybe = await refer(aReferral(siteA, { caller: { givenName: 'Mike', familyName: 'Okafor', dateOfBirth: '1990-01-05', phone: '6175550000' } }));
    expect(maybe.patientId).not.toBe(first.patientId);
    expect(maybe.repeatCaller.possibleMatches.map((m) => m.knownCallerId)).toContain(first.patientId);
    const confirmed = await refer(aReferral(siteA, { patientId: first.patientId, caller: { givenName: 'Mike', familyName: 'Okafor' } }));
    expect(confirmed.patientId).toBe(first.patientId);
  });

  it('walks new → contacted → assessment booking refused before the pre-screen → closed with a reason', async () => {
    const { referralId } = await refer(aReferral(siteA));
    const auth = `Bearer ${coordinatorA}`;
    await http().post(`/referrals/${referralId}/contact`).set('authorization', auth).send({}).expect(200);
    const early = await http()
      .post(`/referrals/${referralId}/assessment-booking`)
      .set('authorization', auth)
      .send({ appointmentAt: new Date(Date.now() + 86_400_000).toISOString() })
      .expect(409);
    expect(early.body).toMatchObject({ code: 'referral.out-of-order' });
    expect(early.body.detail).toContain('Next step: record the pre-screen');
    const closed = await http()
      .post(`/referrals/${referralId}/closure`)
      .set('authorization', auth)
      .send({ reason: { kind: 'unreachable' } })
      .expect(200);
    expect(closed.body).toMatchObject({ stage: 'closed', closure: { reason: { kind: 'unreachable' }, closedAtStage: 'contacted' } });
    const again = await http().post(`/referrals/${referralId}/contact`).set('authorization', auth).send({}).expect(409);
    expect(again.body.code).toBe('referral.closed');
    const events = await infra.adminQuery<{ type: string }>(`SELECT type FROM intake.outbox WHERE key = $1 ORDER BY seq`, [referralId]);
    expect(events.map((e) => e.type)).toEqual(['intake.referral-received', 'intake.referral-contacted', 'intake.referral-closed']);
  });

  it('refuses bad input with a clear 4xx and writes nothing', async () => {
    const before = { referrals: await countRows('referrals'), patients: await countRows('patients'), outbox: await countRows('outbox') };
    const auth = `Bearer ${coordinatorA}`;
    const unknownSite = crypto.randomUUID();
    const admin = await tokenFor('network_admin');
    const res = await http().post('/referrals').set('authorization', `Bearer ${admin}`).send(aReferral(unknownSite)).expect(404);
    expect(res.body.detail).toContain(unknownSite);
    const noConcerns = await http()
      .post('/referrals')
      .set('authorization', auth)
      .send(aReferral(siteA, { presentingConcerns: [] }))
      .expect(400);
    expect(noConcerns.body.detail).toContain('presenting concern');
    const futureBirth = await http()
      .post('/referrals')
      .set('authorization', auth)
      .send(aReferral(siteA, { caller: aCaller({ dateOfBirth: '2999-01-01' }) }))
      .expect(400);
    expect(futureBirth.body.detail).toContain('future');
    // Dates Postgres cannot hold, and text it cannot store, are the caller's mistake: a 400 naming the field, never a 500.
    const yearZero = await http()
      .post('/referrals')
      .set('authorization', auth)
      .send(aReferral(siteA, { caller: aCaller({ dateOfBirth: '0000-01-01' }), receivedAt: '0000-01-01T00:00:00Z' }))
      .expect(400);
    expect(yearZero.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['caller.dateOfBirth', 'receivedAt']);
    const nul = await http()
      .post('/referrals')
      .set('authorization', auth)
      .send(aReferral(siteA, { concernNotes: 'drinks\u0000daily' }))
      .expect(400);
    expect(nul.body.detail).toContain('concernNotes: must not contain a NUL character');
    const otherProvider = await http()
      .post('/referrals')
      .set('authorization', auth)
      .send(aReferral(siteA, { source: 'other-provider' }))
      .expect(422);
    expect(otherProvider.body.detail).toContain('referring provider');
    await http()
      .post('/referrals')
      .set('authorization', auth)
      .send({ ...aReferral(siteA), favouriteColour: 'blue' })
      .expect(400);
    const { referralId } = await refer(aReferral(siteA));
    const closeOther = await http()
      .post(`/referrals/${referralId}/closure`)
      .set('authorization', auth)
      .send({ reason: { kind: 'other', note: ' ' } })
      .expect(422);
    expect(closeOther.body.code).toBe('referral.close-note-required');
    expect(await countRows('referrals')).toBe(before.referrals + 1);
    expect(await countRows('patients')).toBe(before.patients + 1);
    expect(await countRows('outbox')).toBe(before.outbox + 1);
  });

  it("audits every read of a patient's record, in the reader's name", async () => {
    const { referralId, patientId } = await refer(aReferral(siteA));
    const res = await http().get(`/referrals/${referralId}`).set('authorization', `Bearer ${coordinatorA}`).expect(200);
    expect(res.body.patient).toMatchObject({ patientId });
    await http().get(`/patients/${patientId}`).set('authorization', `Bearer ${coordinatorA}`).expect(200);
    const audit = await infra.adminQuery<{ action: string; resource: string; role: string }>(
      `SELECT action, resource, role FROM intake.audit_log WHERE patient_id = $1 ORDER BY id`,
      [patientId],
    );
    expect(audit).toEqual([
      { action: 'create', resource: `referral:${referralId}`, role: 'intake_coordinator' },
      { action: 'read', resource: `referral:${referralId}`, role: 'intake_coordinator' },
      { action: 'read', resource: `patient:${patientId}`, role: 'intake_coordinator' },
    ]);
  });

  describe('site isolation', () => {
    it("refuses a referral for a site outside the caller's scope", async () => {
      const res = await http().post('/referrals').set('authorization', `Bearer ${coordinatorA}`).send(aReferral(siteB)).expect(403);
      expect(res.body.detail).toContain(siteB);
    });

    it("does not show or change another site's referral, and leaves no trace of trying", async () => {
      const coordinatorB = await tokenFor('intake_coordinator', [siteB]);
      const { referralId, patientId } = await refer(aReferral(siteB), coordinatorB);
      const trace = async () => {
        const [row] = await infra.adminQuery<{ stage: string; outbox: number; audit: number }>(
          `SELECT (SELECT stage FROM intake.referrals WHERE referral_id = $1) AS stage,
                  (SELECT count(*)::int FROM intake.outbox WHERE key = $1::text) AS outbox,
                  (SELECT count(*)::int FROM intake.audit_log WHERE patient_id = $2) AS audit`,
          [referralId, patientId],
        );
        return row!;
      };
      const before = await trace();
      await http().get(`/referrals/${referralId}`).set('authorization', `Bearer ${coordinatorA}`).expect(404);
      await http().get(`/patients/${patientId}`).set('authorization', `Bearer ${coordinatorA}`).expect(404);
      await http().post(`/referrals/${referralId}/contact`).set('authorization', `Bearer ${coordinatorA}`).send({}).expect(404);
      const list = await http().get('/referrals').set('authorization', `Bearer ${coordinatorA}`).expect(200);
      expect(list.body.items.map((r: { siteId: string }) => r.siteId)).not.toContain(siteB);
      await http().get(`/referrals?siteId=${siteB}`).set('authorization', `Bearer ${coordinatorA}`).expect(403);
      // No trace: the referral did not move, no event left, and no read of the patient was recorded for a caller who saw nothing.
      expect(await trace()).toEqual(before);
      expect(before.stage).toBe('new');
    });

    it("with the guard bypassed, row-level security still hides another site's patients and referrals", async () => {
      const coordinatorB = await tokenFor('intake_coordinator', [siteB]);
      await refer(aReferral(siteB), coordinatorB);
      await refer(aReferral(siteA));
      const seen = await inScopedTransaction(intake.get(DataSource), sitesScope([siteA]), async (m) => ({
        patients: (await m.query('SELECT DISTINCT site_id FROM patients')) as Array<{ site_id: string }>,
        referrals: (await m.query('SELECT DISTINCT site_id FROM referrals')) as Array<{ site_id: string }>,
      }));
      expect(seen.patients.map((r) => r.site_id)).toEqual([siteA]);
      expect(seen.referrals.map((r) => r.site_id)).toEqual([siteA]);
      const unscoped = await intake.get(DataSource).query('SELECT count(*)::int AS n FROM referrals');
      expect(unscoped[0].n).toBe(0);
    });

    it('lists referrals by stage, source and age, paged', async () => {
      const site = await kit.site();
      const token = await tokenFor('intake_coordinator', [site]);
      const old = new Date(Date.now() - 10 * 86_400_000).toISOString();
      await refer(aReferral(site, { source: 'court', receivedAt: old }), token);
      await refer(aReferral(site, { source: 'court' }), token);
      await refer(aReferral(site, { source: 'self' }), token);
      const courts = await http().get(`/referrals?siteId=${site}&source=court`).set('authorization', `Bearer ${token}`).expect(200);
      expect(courts.body.total).toBe(2);
      const aged = await http().get(`/referrals?siteId=${site}&minAgeDays=7`).set('authorization', `Bearer ${token}`).expect(200);
      expect(aged.body.items).toHaveLength(1);
      expect(aged.body.items[0]).toMatchObject({ source: 'court', ageDays: 10, stage: 'new' });
      const page = await http().get(`/referrals?siteId=${site}&pageSize=2&page=2`).set('authorization', `Bearer ${token}`).expect(200);
      expect(page.body).toMatchObject({ total: 3, page: 2, pageSize: 2, nextCursor: null });
      expect(page.body.items).toHaveLength(1);
      const farPastTheEnd = await http().get(`/referrals?siteId=${site}&pageSize=100&page=1000000000000`).set('authorization', `Bearer ${token}`).expect(200);
      expect(farPastTheEnd.body).toMatchObject({ items: [], total: 3, page: 1_000_000_000_000, nextCursor: null });
    });

    it('walks a list by cursor, newest first, each page after the last one shown; totals come from kept counts, none with an age bound', async () => {
      const site = await kit.site();
      const token = await tokenFor('intake_coordinator', [site]);
      const made: string[] = [];
      for (let i = 1; i <= 5; i++)
        made.push((await refer(aReferral(site, { receivedAt: new Date(Date.now() - i * 3_600_000).toISOString() }), token)).referralId);
      const get = (query: string) => http().get(`/referrals?siteId=${site}&${query}`).set('authorization', `Bearer ${token}`);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(`pageSize=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        expect(res.body).toMatchObject({ total: made.length, pageSize: 2 });
        seen.push(...res.body.items.map((r: { referralId: string }) => r.referralId));
        cursor = res.body.nextCursor as string | null;
        // A referral added while paging is newer than every cursor: it does not shift the pages after it.
        if (seen.length === 2) made.unshift((await refer(aReferral(site), token)).referralId);
      } while (cursor);
      expect(seen).toEqual(made.slice(1));
      expect((await get('pageSize=2&stage=new').expect(200)).body.total).toBe(6);
      expect((await get('pageSize=2&maxAgeDays=30').expect(200)).body).toMatchObject({ total: null });
      const bad = await get(`cursor=${Buffer.from('not a position').toString('base64url')}`).expect(400);
      expect(bad.body.detail).toMatch(/cursor/);
    });
  });
});
