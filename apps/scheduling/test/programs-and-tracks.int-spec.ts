import { DataSource } from 'typeorm';
import { inScopedTransaction, sitesScope } from '@iop/persistence';
import { tokenFor } from '@iop/testing';
import { aClinic, aTrack, as, inDays, sessionsOf, startScheduling, type SchedulingKit } from './scheduling-test-kit';

describe('programs and tracks of a site', () => {
  let kit: SchedulingKit;

  beforeAll(async () => {
    kit = await startScheduling();
  });
  afterAll(async () => {
    await kit?.close();
  });

  describe('programs', () => {
    it("a program defined with its level and population alone gets ASAM's weekly range, per-diem minimum and length", async () => {
      const clinic = await aClinic(kit);
      const res = await clinic
        .call('post', `/sites/${clinic.siteId}/programs`, { name: 'Teen MH', kind: 'mental-health', population: 'adolescent', levelOfCare: '2.1' })
        .expect(201);
      expect(res.body).toMatchObject({
        minWeeklyMinutes: 360,
        maxWeeklyMinutes: 1140,
        weeklyRange: '6 h to 19 h',
        perDiemMinimumMinutes: 180,
        defaultLengthWeeks: 10,
      });
      const again = await clinic.call('get', `/programs/${res.body.programId}`).expect(200);
      expect(again.body).toEqual(res.body);
    });

    it('a site may set its own range, and change it later', async () => {
      const clinic = await aClinic(kit);
      const res = await clinic
        .call('post', `/sites/${clinic.siteId}/programs`, { name: 'PHP', kind: 'co-occurring', population: 'adult', levelOfCare: '2.5', defaultLengthWeeks: 4 })
        .expect(201);
      expect(res.body).toMatchObject({ minWeeklyMinutes: 1200, maxWeeklyMinutes: null, weeklyRange: '20 h or more', defaultLengthWeeks: 4 });
      const changed = await clinic.call('patch', `/programs/${res.body.programId}`, { minWeeklyMinutes: 1260 }).expect(200);
      expect(changed.body).toMatchObject({ minWeeklyMinutes: 1260, revision: 2 });
      const events = await kit.infra.adminQuery<{ type: string; payload: Record<string, unknown> }>(
        `SELECT type, payload FROM scheduling.outbox WHERE key = $1 ORDER BY seq`,
        [res.body.programId],
      );
      expect(events.map((e) => [e.type, e.payload['minWeeklyMinutes'], e.payload['revision']])).toEqual([
        ['scheduling.program-defined', 1200, 1],
        ['scheduling.program-changed', 1260, 2],
      ]);
      expect(events.every((e) => !('name' in e.payload))).toBe(true);
    });
  });

  describe('defining a track', () => {
    it("gives its weekly hours and puts the horizon's sessions on the calendar", async () => {
      const clinic = await aClinic(kit);
      const res = await clinic.call('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic)).expect(201);
      expect(res.body).toMatchObject({ weeklyMinutes: 540, weeklyHours: '9 h', blockMinutes: 180, meetsPerDiemMinimum: true, timeZone: 'America/New_York' });
      expect(res.body.sessions.map((s: { offsetMinutes: number }) => s.offsetMinutes)).toEqual([0, 60, 120]);
      const fetched = await clinic.call('get', `/tracks/${res.body.trackId}`).expect(200);
      expect(fetched.body).toEqual(res.body);

      const sessions = await sessionsOf(clinic, inDays(0), inDays(7 * 12 + 1), 50);
      const blocks = new Set(sessions.map((s) => s.localDate));
      expect(blocks.size).toBeGreaterThanOrEqual(35); // 12 weeks of Mon/Tue/Thu, whichever weekday today is
      expect(sessions).toHaveLength(blocks.size * 3);
      expect(new Set(sessions.map((s) => s.localStart.slice(11)))).toEqual(new Set(['18:00', '19:00', '20:00']));
    });

    it('too few hours for the program are refused with both numbers', async () => {
      const clinic = await aClinic(kit);
      const track = aTrack(clinic);
      const res = await clinic
        .call('post', `/sites/${clinic.siteId}/tracks`, {
          ...track,
          sessions: [
            { ...track.sessions[0], durationMinutes: 90 },
            { ...track.sessions[1], durationMinutes: 60 },
          ],
        })
        .expect(422);
      expect(res.body.detail).toBe('this track gives 7 h 30 min a week; program Evening SUD (2.1 adult) needs 9 h to 19 h');
      expect(res.body.code).toBe('track.too-few-hours');
    });

    it('a leader who may not lead the program is refused', async () => {
      const clinic = await aClinic(kit);
      const track = aTrack(clinic);
      const res = await clinic
        .call('post', `/sites/${clinic.siteId}/tracks`, {
          ...track,
          sessions: [track.sessions[0], { ...track.sessions[1], leaderId: clinic.outsider }, track.sessions[2]],
        })
        .expect(422);
      expect(res.body).toMatchObject({ code: 'track.leader-not-allowed', detail: expect.stringContaining('session 2: the leader Lee Park') });
    });

    it('a room cannot shrink below the groups planned in it', async () => {
      const clinic = await aClinic(kit);
      await clinic.call('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic)).expect(201);
      const res = await clinic.call('patch', `/rooms/${clinic.groupRoom}`, { capacity: 8 }).expect(422);
      expect(res.body.detail).toBe('room Group room A has groups of up to 10 planned in it; move them before it holds 8');
      await clinic.call('patch', `/rooms/${clinic.groupRoom}`, { capacity: 10 }).expect(200);
    });

    it('a room too small for the group is refused', async () => {
      const clinic = await aClinic(kit);
      const track = aTrack(clinic);
      const res = await clinic
        .call('post', `/sites/${clinic.siteId}/tracks`, { ...track, sessions: track.sessions.map((s) => ({ ...s, roomId: clinic.smallRoom })) })
        .expect(422);
      expect(res.body).toMatchObject({ code: 'track.room-too-small', detail: 'session 1: room Office 3 holds 4, the group takes 10' });
    });

    it('sessions of a block that overlap, or last no time, are refused as bad requests', async () => {
      const clinic = await aClinic(kit);
      const track = aTrack(clinic);
      const overlapping = await clinic
        .call('post', `/sites/${clinic.siteId}/tracks`, {
          ...track,
          sessions: [track.sessions[0], { ...track.sessions[1], offsetMinutes: 30 }, track.sessions[2]],
        })
        .expect(400);
      expect(overlapping.body.detail).toContain('sessions 1 and 2 of the block overlap');
      await clinic.call('post', `/sites/${clinic.siteId}/tracks`, { ...track, sessions: [{ ...track.sessions[0], durationMinutes: 0 }] }).expect(400);
    });

    it('a recurrence with no occurrence is refused', async () => {
      const clinic = await aClinic(kit);
      const res = await clinic
        .call('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic, { recurrence: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20200101T000000Z' }))
        .expect(400);
      expect(res.body).toMatchObject({ code: 'track.bad-recurrence', detail: expect.stringContaining('yields no session') });
    });

    it('a track starting in the past is refused', async () => {
      const clinic = await aClinic(kit);
      const res = await clinic.call('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic, { startsOn: inDays(-3) })).expect(422);
      expect(res.body).toMatchObject({ code: 'track.starts-in-past' });
      expect(await kit.infra.adminQuery(`SELECT 1 FROM scheduling.tracks WHERE site_id = $1`, [clinic.siteId])).toHaveLength(0);
    });
  });

  describe('changing a track', () => {
    it('a new leader takes over every session of that position not yet started, and each raises session-rescheduled', async () => {
      const clinic = await aClinic(kit);
      const track = (await clinic.call('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic)).expect(201)).body as { trackId: string };
      const res = await clinic
        .call('patch', `/tracks/${track.trackId}`, { sessions: [{ position: 2, leaderId: clinic.therapists[1], roomId: clinic.secondRoom }] })
        .expect(200);
      expect(res.body.sessions[1]).toMatchObject({ leaderId: clinic.therapists[1], roomId: clinic.secondRoom });
      const sessions = await sessionsOf(clinic, inDays(0), inDays(90));
      expect(new Set(sessions.filter((s) => s.position === 2).map((s) => s.leaderId))).toEqual(new Set([clinic.therapists[1]]));
      expect(new Set(sessions.filter((s) => s.position !== 2).map((s) => s.leaderId))).toEqual(new Set([clinic.therapists[0]]));
      const rescheduled = await kit.infra.adminQuery(
        `SELECT 1 FROM scheduling.outbox WHERE type = 'scheduling.session-rescheduled' AND payload->>'trackId' = $1`,
        [track.trackId],
      );
      expect(rescheduled).toHaveLength(sessions.filter((s) => s.position === 2).length);
    });

    it('an earlier end cancels the sessions after it', async () => {
      const clinic = await aClinic(kit);
      const track = (await clinic.call('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic)).expect(201)).body as { trackId: string };
      await clinic.call('patch', `/tracks/${track.trackId}`, { endsOn: inDays(14) }).expect(200);
      const sessions = await sessionsOf(clinic, inDays(0), inDays(90));
      expect(sessions.filter((s) => s.localDate > inDays(14)).every((s) => s.status === 'cancelled')).toBe(true);
      expect(sessions.filter((s) => s.localDate < inDays(13)).every((s) => s.status === 'scheduled')).toBe(true);
    });
  });

  describe('unknown ids and other sites', () => {
    it('unknown ids are 404s', async () => {
      const clinic = await aClinic(kit);
      const nobody = crypto.randomUUID();
      for (const path of [`/tracks/${nobody}`, `/programs/${nobody}`, `/sessions/${nobody}`]) {
        expect((await clinic.call('get', path)).status).toBe(404);
      }
      await clinic.call('patch', `/clinicians/${nobody}`, { displayName: 'X' }).expect(404);
      await clinic.call('patch', `/rooms/${nobody}`, { capacity: 3 }).expect(404);
      await clinic.call('post', `/sessions/${nobody}/cancellation`, { reason: 'x' }).expect(404);
      await as(kit, kit.admin)('post', `/sites/${nobody}/programs`, { name: 'P', kind: 'mental-health', population: 'adult', levelOfCare: '1' }).expect(404);
      const unknownProgram = await clinic.call('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic, { programId: nobody })).expect(404);
      expect(unknownProgram.body.code).toBe('program.unknown');
    });

    it("a token for another site is refused, and another site's records are not found", async () => {
      const a = await aClinic(kit);
      const b = await aClinic(kit);
      const track = (await b.call('post', `/sites/${b.siteId}/tracks`, aTrack(b)).expect(201)).body as { trackId: string };
      for (const path of ['clinicians', 'rooms', 'programs', 'tracks', `sessions?from=${inDays(0)}&to=${inDays(7)}`]) {
        const res = await a.call('get', `/sites/${b.siteId}/${path}`).expect(403);
        expect(res.body.detail).toContain(b.siteId);
      }
      await a.call('post', `/sites/${b.siteId}/tracks`, aTrack(b)).expect(403);
      await a.call('get', `/tracks/${track.trackId}`).expect(404);
      await a.call('get', `/programs/${b.programId}`).expect(404);
      await a.call('patch', `/clinicians/${b.therapists[0]}`, { displayName: 'Taken over' }).expect(404);
    });

    it('a clinician of the site reads its calendar, but does not define tracks', async () => {
      const clinic = await aClinic(kit);
      const clinician = as(kit, await tokenFor('clinician', [clinic.siteId]));
      await clinician('get', `/sites/${clinic.siteId}/clinicians`).expect(200);
      await clinician('post', `/sites/${clinic.siteId}/tracks`, aTrack(clinic)).expect(403);
    });

    it('with the guard bypassed, row-level security returns nothing of another site', async () => {
      const a = await aClinic(kit);
      const b = await aClinic(kit);
      await b.call('post', `/sites/${b.siteId}/tracks`, aTrack(b)).expect(201);
      const dataSource = kit.app.get(DataSource);
      for (const table of ['clinicians', 'rooms', 'programs', 'tracks', 'track_sessions', 'sessions', 'commitments']) {
        const rows = (await inScopedTransaction(dataSource, sitesScope([a.siteId]), (m) =>
          m.query(`SELECT DISTINCT site_id FROM scheduling.${table}`),
        )) as Array<{
          site_id: string;
        }>;
        expect({ table, sites: rows.map((r) => r.site_id).filter((s) => s !== a.siteId) }).toEqual({ table, sites: [] });
      }
      const unscoped = await dataSource.query('SELECT count(*)::int AS n FROM scheduling.sessions');
      expect(unscoped[0].n).toBe(0);
    });
  });
});
