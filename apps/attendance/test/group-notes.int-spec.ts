import request from 'supertest';
import { GroupSessionDocumented, GroupSessionUndocumented } from '@iop/contracts';
import { eventually, scanKafkaForPhi, tokenFor } from '@iop/testing';
import { UndocumentedSessionsSweep } from '../src/application/undocumented-sessions.job';
import { aClinic, aPatientIn, api, rosterReady, scheduleSession, startAttendance, type AttendanceKit, type Clinic, type Patient } from './attendance-test-kit';

/** Text only a note holds: no event, key or header may ever carry it. */
const NOTE_TEXT = {
  topic: 'Coping with cravings at the Halvorsen warehouse',
  summary: 'Group practised urge surfing; Quillfeather described the relapse at the marina party',
  response: 'Patient named the Brackenridge bar as a trigger and rehearsed a refusal',
  addendum: 'Late entry: Zephyrine disclosed a lapse after the session',
};

interface Group {
  readonly sessionId: string;
  readonly endsAt: string;
  /** Attended (the whole session) and late, in that order. */
  readonly attendees: readonly Patient[];
  readonly noShow: Patient;
}

describe('group documentation: a group note, progress notes for its attendees, signatures, the lock and addenda', () => {
  let kit: AttendanceKit;
  let clinic: Clinic;
  let supervisor: string;
  let sweep: UndocumentedSessionsSweep;
  beforeAll(async () => {
    kit = await startAttendance();
    clinic = await aClinic(kit);
    supervisor = await tokenFor('clinical_supervisor', [clinic.siteId], 'supervisor-1');
    sweep = kit.app.get(UndocumentedSessionsSweep);
  });
  afterAll(async () => {
    await kit?.close();
  });

  const hoursAgo = (hours: number) => {
    const at = new Date(Date.now() - hours * 3_600_000);
    at.setUTCSeconds(0, 0);
    return at.toISOString();
  };
  const localDate = (iso: string) => new Date(iso).toLocaleDateString('en-CA', { timeZone: clinic.timeZone });

  /** A 3-hour group that ended `endedHoursAgo`: two attendees (one on time, one 20 minutes late) and one no-show. */
  async function aGroupThatMet(endedHoursAgo: number, options: { nobodyCame?: boolean } = {}): Promise<Group> {
    const startsAt = hoursAgo(endedHoursAgo + 3);
    const sessionId = await scheduleSession(kit, clinic, startsAt, 180, localDate(startsAt));
    const patients = [await aPatientIn(kit, clinic, [sessionId]), await aPatientIn(kit, clinic, [sessionId]), await aPatientIn(kit, clinic, [sessionId])];
    await rosterReady(kit, [sessionId], patients);
    const [onTime, late, noShow] = patients as [Patient, Patient, Patient];
    await api(kit, clinic.staff)
      .post(`/sessions/${sessionId}/attendance`, {
        allPresent: !options.nobodyCame,
        exceptions: options.nobodyCame
          ? []
          : [
              { patientId: late.patientId, status: 'late', at: new Date(new Date(startsAt).getTime() + 20 * 60_000).toISOString() },
              { patientId: noShow.patientId, status: 'no-show' },
            ],
      })
      .expect(200);
    return { sessionId, endsAt: new Date(new Date(startsAt).getTime() + 180 * 60_000).toISOString(), attendees: [onTime, late], noShow };
  }

  const groupNote = { topic: NOTE_TEXT.topic, interventions: ['cbt', 'relapse-prevention'], summary: NOTE_TEXT.summary };
  const progress = (goals: Array<{ goalNumber: number; rating: string }> = [{ goalNumber: 1, rating: 'some-progress' }]) => ({
    participation: 'active',
    response: NOTE_TEXT.response,
    goals,
    planVersion: 1,
    nextSteps: 'Practise refusal skills before Thursday',
  });
  const put = (token: string, path: string, body: object) => request(kit.app.getHttpServer()).put(path).set('authorization', `Bearer ${token}`).send(body);
  const post = (token: string, path: string, body: object = {}) => api(kit, token).post(path, body);

  /** Group note and both attendees' progress notes written, by the clinic's clinician. */
  async function documented(group: Group): Promise<void> {
    await put(clinic.staff, `/sessions/${group.sessionId}/group-note`, groupNote).expect(200);
    for (const p of group.attendees) await put(clinic.staff, `/sessions/${group.sessionId}/progress-notes/${p.patientId}`, progress()).expect(200);
  }

  it('tells a note writer which interventions a group note may name, and nobody else', async () => {
    const answer = await api(kit, clinic.staff).get('/group-note-interventions').expect(200);
    expect(answer.body).toEqual({
      interventions: ['cbt', 'dbt-skills', 'motivational-interviewing', 'psychoeducation', 'relapse-prevention', 'mindfulness', 'twelve-step-facilitation'],
    });
    await api(kit, await tokenFor('analyst', [clinic.siteId]))
      .get('/group-note-interventions')
      .expect(403);
    await request(kit.app.getHttpServer()).get('/group-note-interventions').expect(401);
  });

  it('write → pre-filled progress notes → sign → co-sign → lock → addenda; locked notes refuse edits with 409', async () => {
    const documentedEvents = await kit.eventsOf(GroupSessionDocumented);
    const group = await aGroupThatMet(30);
    const [onTime, late] = group.attendees as [Patient, Patient];
    const base = `/sessions/${group.sessionId}`;

    const written = await put(clinic.staff, `${base}/group-note`, groupNote).expect(200);
    expect(written.body).toMatchObject({ status: 'draft', topic: NOTE_TEXT.topic, interventions: ['cbt', 'relapse-prevention'], revision: 1 });
    expect(written.body.attendees.map((a: { patientId: string; attendanceStatus: string; progressNoteId: string | null }) => a)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ patientId: onTime.patientId, attendanceStatus: 'attended', progressNoteId: null }),
        expect.objectContaining({ patientId: late.patientId, attendanceStatus: 'late', progressNoteId: null }),
      ]),
    );
    expect(written.body.attendees).toHaveLength(2);

    // Each attendee's progress note is pre-filled from the group note and tied to their plan (id and version from scheduling's event).
    const prefilled = await api(kit, clinic.staff).get(`${base}/progress-notes/${late.patientId}`).expect(200);
    expect(prefilled.body).toMatchObject({
      progressNoteId: null,
      status: 'draft',
      group: { topic: NOTE_TEXT.topic, interventions: ['cbt', 'relapse-prevention'], summary: NOTE_TEXT.summary },
      attendance: { status: 'late', attendedMinutes: 160 },
      plan: { planVersion: 1 },
      individual: null,
    });
    expect(prefilled.body.plan.planId).toEqual(expect.any(String));

    const first = await put(clinic.staff, `${base}/progress-notes/${onTime.patientId}`, progress()).expect(200);
    expect(first.body).toMatchObject({
      individual: { participation: 'active', response: NOTE_TEXT.response, goals: [{ goalNumber: 1, rating: 'some-progress' }] },
      plan: { planVersion: 1 },
      revision: 1,
    });

    const incomplete = await post(clinic.staff, `${base}/group-note/sign`).expect(422);
    expect(incomplete.body).toMatchObject({ code: 'group-note.incomplete', detail: expect.stringContaining(late.patientId) });

    await put(clinic.staff, `${base}/progress-notes/${late.patientId}`, progress([{ goalNumber: 2, rating: 'regressed' }])).expect(200);
    const signed = await post(clinic.staff, `${base}/group-note/sign`).expect(200);
    expect(signed.body).toMatchObject({ status: 'signed', signatures: { needsCoSignature: true, coSignedAt: null, lockedAt: null } });
    expect(signed.body.signatures.signedAt).toEqual(expect.any(String));

    const awaiting = await post(clinic.staff, `${base}/group-note/lock`).expect(409);
    expect(awaiting.body.code).toBe('group-note.awaiting-co-signature');
    await post(clinic.staff, `${base}/group-note/co-sign`).expect(403);
    const coSigned = await post(supervisor, `${base}/group-note/co-sign`).expect(200);
    expect(coSigned.body).toMatchObject({ status: 'co-signed', signatures: { coSignedBy: 'supervisor-1' } });
    const locked = await post(clinic.staff, `${base}/group-note/lock`).expect(200);
    expect(locked.body.status).toBe('locked');

    const edit = await put(clinic.staff, `${base}/group-note`, { ...groupNote, summary: 'rewritten' }).expect(409);
    expect(edit.body).toMatchObject({ code: 'group-note.locked', detail: expect.stringContaining('addend') });
    const editProgress = await put(clinic.staff, `${base}/progress-notes/${late.patientId}`, progress()).expect(409);
    expect(editProgress.body.code).toBe('group-note.locked');
    await request(kit.app.getHttpServer()).delete(`${base}/progress-notes/${late.patientId}`).set('authorization', `Bearer ${clinic.staff}`).expect(409);
    // The database refuses it too, whoever asks: locked documentation is not changed in place.
    await expect(kit.infra.adminQuery(`UPDATE attendance.group_notes SET summary = 'x' WHERE note_id = $1`, [locked.body.noteId])).rejects.toThrow(/locked/);
    await expect(kit.infra.adminQuery(`UPDATE attendance.progress_notes SET response = 'x' WHERE session_id = $1`, [group.sessionId])).rejects.toThrow(
      /signed documentation/,
    );

    const toGroup = await post(clinic.staff, `${base}/group-note/addenda`, { text: 'Room was changed to 2B midway' }).expect(201);
    expect(toGroup.body).toMatchObject({ patientId: null, author: expect.any(String), addedAt: expect.any(String) });
    await post(supervisor, `${base}/group-note/addenda`, { text: NOTE_TEXT.addendum, patientId: late.patientId }).expect(201);
    const withAddendum = await api(kit, clinic.staff).get(`${base}/progress-notes/${late.patientId}`).expect(200);
    expect(withAddendum.body).toMatchObject({
      status: 'locked',
      individual: { goals: [{ goalNumber: 2, rating: 'regressed' }] },
      addenda: [{ text: NOTE_TEXT.addendum, author: 'supervisor-1', patientId: late.patientId }],
    });
    const read = await api(kit, supervisor).get(`${base}/group-note`).expect(200);
    expect(read.body.addenda.map((a: { text: string }) => a.text)).toEqual(['Room was changed to 2B midway']);
    expect(read.body.attendees.every((a: { progressNoteId: string | null }) => a.progressNoteId !== null)).toBe(true);

    // Who signed, co-signed and locked, and when, is audited; and so is every read of a progress note.
    const steps = await kit.infra.adminQuery<{ reason: string; actor: string }>(
      `SELECT reason, actor FROM attendance.audit_log WHERE resource = $1 AND reason IS NOT NULL ORDER BY id`,
      [`group-note:${locked.body.noteId}`],
    );
    expect(steps.map((s) => s.reason)).toEqual(['signed', 'co-signed', 'locked']);
    expect(steps[1]!.actor).toBe('supervisor-1');
    const reads = await kit.infra.adminQuery(`SELECT 1 FROM attendance.audit_log WHERE patient_id = $1 AND action = 'read' AND resource = $2`, [
      late.patientId,
      `progress-note:${group.sessionId}`,
    ]);
    expect(reads).toHaveLength(2);
    // Addenda are append-only for the service's own database role as well.
    expect(await kit.infra.adminQuery(`SELECT has_table_privilege('iop_attendance', 'attendance.note_addenda', 'UPDATE') AS may`)).toEqual([{ may: false }]);

    await eventually(() => expect(documentedEvents.filter((e) => e.sessionId === group.sessionId)).toHaveLength(1));
    expect(documentedEvents.find((e) => e.sessionId === group.sessionId)).toEqual({
      sessionId: group.sessionId,
      siteId: clinic.siteId,
      noteId: locked.body.noteId,
      attendees: 2,
      signedAt: expect.any(String),
      coSignedAt: expect.any(String),
      lockedAt: expect.any(String),
      occurredAt: expect.any(String),
    });
  });

  it("a supervisor's own documentation is locked without a co-signature; a supervisor cannot co-sign documentation that needs none", async () => {
    const group = await aGroupThatMet(5);
    const base = `/sessions/${group.sessionId}`;
    await put(supervisor, `${base}/group-note`, groupNote).expect(200);
    for (const p of group.attendees) await put(supervisor, `${base}/progress-notes/${p.patientId}`, progress([])).expect(200);
    const signed = await post(supervisor, `${base}/group-note/sign`).expect(200);
    expect(signed.body.signatures.needsCoSignature).toBe(false);
    const other = await tokenFor('clinical_supervisor', [clinic.siteId], 'supervisor-2');
    expect((await post(other, `${base}/group-note/co-sign`).expect(409)).body.code).toBe('group-note.no-co-signature-needed');
    expect((await post(supervisor, `${base}/group-note/lock`).expect(200)).body.signatures).toMatchObject({ coSignedAt: null, lockedBy: 'supervisor-1' });
  });

  it('an attendance corrected to an absence after its progress note was written blocks the signature until the draft is removed', async () => {
    const group = await aGroupThatMet(7);
    await documented(group);
    const late = group.attendees[1]!;
    const roster = await api(kit, clinic.staff).get(`/sessions/${group.sessionId}/roster`).expect(200);
    const recordId = roster.body.entries.find((e: { patientId: string }) => e.patientId === late.patientId).record.recordId as string;
    await post(clinic.staff, `/attendance/${recordId}/corrections`, { status: 'no-show', reason: 'checked in by mistake' }).expect(200);

    const blocked = await post(clinic.staff, `/sessions/${group.sessionId}/group-note/sign`).expect(422);
    expect(blocked.body).toMatchObject({
      code: 'group-note.incomplete',
      detail: expect.stringContaining(`${late.patientId} have progress notes but did not attend`),
    });
    await request(kit.app.getHttpServer())
      .delete(`/sessions/${group.sessionId}/progress-notes/${late.patientId}`)
      .set('authorization', `Bearer ${clinic.staff}`)
      .expect(204);
    const signed = await post(clinic.staff, `/sessions/${group.sessionId}/group-note/sign`).expect(200);
    expect(signed.body.attendees.map((a: { patientId: string }) => a.patientId)).toEqual([group.attendees[0]!.patientId]);
  });

  describe('bad input changes nothing', () => {
    let group: Group;
    beforeAll(async () => {
      group = await aGroupThatMet(4);
    });
    const notesOf = async (sessionId: string) =>
      Number((await kit.infra.adminQuery<{ n: string }>(`SELECT count(*) AS n FROM attendance.group_notes WHERE session_id = $1`, [sessionId]))[0]!.n);

    it('invalid bodies are 400s naming each field', async () => {
      const bad = await put(clinic.staff, `/sessions/${group.sessionId}/group-note`, { topic: '  ', interventions: ['cbt', 'primal-scream'], extra: 1 }).expect(
        400,
      );
      const fields = (bad.body as { issues: Array<{ field: string; message: string }> }).issues.map((i) => i.field);
      expect(fields).toEqual(expect.arrayContaining(['topic', 'interventions.1', 'summary']));
      expect(JSON.stringify(bad.body.issues)).toContain('motivational-interviewing');
      await put(clinic.staff, `/sessions/${group.sessionId}/group-note`, { ...groupNote, interventions: [] }).expect(400);
      await put(clinic.staff, `/sessions/${group.sessionId}/group-note`, { ...groupNote, interventions: ['cbt', 'cbt'] }).expect(400);
      expect(await notesOf(group.sessionId)).toBe(0);

      await put(clinic.staff, `/sessions/${group.sessionId}/group-note`, groupNote).expect(200);
      const patientId = group.attendees[0]!.patientId;
      const noVersion = await put(clinic.staff, `/sessions/${group.sessionId}/progress-notes/${patientId}`, {
        participation: 'active',
        response: 'x',
        goals: [{ goalNumber: 1, rating: 'some-progress' }],
      }).expect(400);
      expect(noVersion.body.issues.map((i: { field: string }) => i.field)).toEqual(['planVersion']);
      const badRating = await put(clinic.staff, `/sessions/${group.sessionId}/progress-notes/${patientId}`, {
        ...progress([{ goalNumber: 0, rating: 'great' }]),
        participation: 'sleepy',
      }).expect(400);
      expect(badRating.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['goals.0.goalNumber', 'goals.0.rating', 'participation']);
      await put(clinic.staff, `/sessions/not-a-uuid/group-note`, groupNote).expect(400);
      expect(await kit.infra.adminQuery(`SELECT 1 FROM attendance.progress_notes WHERE session_id = $1`, [group.sessionId])).toEqual([]);
    });

    it('a progress note for a patient not on the roster, or who did not attend, is a 422', async () => {
      await put(clinic.staff, `/sessions/${group.sessionId}/group-note`, groupNote).expect(200);
      const stranger = await put(clinic.staff, `/sessions/${group.sessionId}/progress-notes/${crypto.randomUUID()}`, progress()).expect(422);
      expect(stranger.body.code).toBe('attendance.not-on-roster');
      const absent = await put(clinic.staff, `/sessions/${group.sessionId}/progress-notes/${group.noShow.patientId}`, progress()).expect(422);
      expect(absent.body).toMatchObject({ code: 'progress-note.not-attended', detail: expect.stringContaining('no-show') });
      await api(kit, clinic.staff).get(`/sessions/${group.sessionId}/progress-notes/${group.noShow.patientId}`).expect(422);
      expect(await kit.infra.adminQuery(`SELECT 1 FROM attendance.progress_notes WHERE patient_id = $1`, [group.noShow.patientId])).toEqual([]);
    });

    it('goal numbers read from an older plan version are a 409', async () => {
      await put(clinic.staff, `/sessions/${group.sessionId}/group-note`, groupNote).expect(200);
      const stale = await put(clinic.staff, `/sessions/${group.sessionId}/progress-notes/${group.attendees[1]!.patientId}`, {
        ...progress(),
        planVersion: 2,
      }).expect(409);
      expect(stale.body).toMatchObject({ code: 'progress-note.plan-changed', detail: expect.stringContaining('version 1') });
    });

    it('unknown sessions are 404s, and so is a group note not written yet', async () => {
      await put(clinic.staff, `/sessions/${crypto.randomUUID()}/group-note`, groupNote).expect(404);
      await post(clinic.staff, `/sessions/${crypto.randomUUID()}/group-note/sign`).expect(404);
      const unwritten = await aGroupThatMet(3);
      expect((await api(kit, clinic.staff).get(`/sessions/${unwritten.sessionId}/group-note`).expect(404)).body.code).toBe('group-note.not-found');
      const early = await put(clinic.staff, `/sessions/${unwritten.sessionId}/progress-notes/${unwritten.attendees[0]!.patientId}`, progress()).expect(409);
      expect(early.body.code).toBe('group-note.missing');
    });

    it("another site's token sees 404 and writes nothing", async () => {
      const elsewhere = await aClinic(kit);
      const outsider = await tokenFor('clinician', [elsewhere.siteId]);
      const fresh = await aGroupThatMet(3);
      await put(outsider, `/sessions/${fresh.sessionId}/group-note`, groupNote).expect(404);
      await api(kit, outsider).get(`/sessions/${group.sessionId}/group-note`).expect(404);
      await put(outsider, `/sessions/${group.sessionId}/progress-notes/${group.attendees[0]!.patientId}`, progress()).expect(404);
      await post(outsider, `/sessions/${group.sessionId}/group-note/sign`).expect(404);
      await post(outsider, `/sessions/${group.sessionId}/group-note/addenda`, { text: 'x' }).expect(404);
      await api(kit, outsider).get(`/sites/${clinic.siteId}/undocumented-sessions`).expect(403);
      expect(await notesOf(fresh.sessionId)).toBe(0);
      expect(await kit.infra.adminQuery(`SELECT 1 FROM attendance.progress_notes WHERE session_id = $1`, [group.sessionId])).toEqual([]);
      expect(
        (await kit.infra.adminQuery<{ status: string }>(`SELECT status FROM attendance.group_notes WHERE session_id = $1`, [group.sessionId]))[0]!.status,
      ).toBe('draft');
    });

    it('an addendum to a draft is a 409 (edit the draft instead)', async () => {
      await put(clinic.staff, `/sessions/${group.sessionId}/group-note`, groupNote).expect(200);
      expect((await post(clinic.staff, `/sessions/${group.sessionId}/group-note/addenda`, { text: 'x' }).expect(409)).body.code).toBe('group-note.draft');
    });
  });

  it('two signatures at once: one signs, the other is told it is already signed', async () => {
    const group = await aGroupThatMet(6);
    await documented(group);
    const otherClinician = await tokenFor('clinician', [clinic.siteId]);
    const answers = await Promise.all([
      post(clinic.staff, `/sessions/${group.sessionId}/group-note/sign`),
      post(otherClinician, `/sessions/${group.sessionId}/group-note/sign`),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('group-note.already-signed');
    const note = await kit.infra.adminQuery<{ note_id: string }>(`SELECT note_id FROM attendance.group_notes WHERE session_id = $1`, [group.sessionId]);
    const signatures = await kit.infra.adminQuery(`SELECT 1 FROM attendance.audit_log WHERE resource = $1 AND reason = 'signed'`, [
      `group-note:${note[0]!.note_id}`,
    ]);
    expect(signatures).toHaveLength(1);
  });

  it('a session with attendees still undocumented 24 hours after it ended goes on the work queue once, and leaves it when documented', async () => {
    const undocumentedEvents = await kit.eventsOf(GroupSessionUndocumented);
    const overdue = await aGroupThatMet(25);
    const recent = await aGroupThatMet(2);
    const empty = await aGroupThatMet(26, { nobodyCame: true });
    const admin = await tokenFor('site_admin', [clinic.siteId]);
    const queue = async () =>
      (
        (await api(kit, admin).get(`/sites/${clinic.siteId}/undocumented-sessions`).expect(200)).body.items as Array<{ sessionId: string; noteStatus: string }>
      ).map((i) => i.sessionId);

    // Two instances sweeping at once raise the session once.
    await Promise.all([sweep.sweep(), sweep.sweep()]);
    await sweep.sweep();
    const items = await queue();
    expect(items).toContain(overdue.sessionId);
    expect(items).not.toContain(recent.sessionId);
    expect(items).not.toContain(empty.sessionId);
    const listed = (await api(kit, admin).get(`/sites/${clinic.siteId}/undocumented-sessions`).expect(200)).body.items.find(
      (i: { sessionId: string }) => i.sessionId === overdue.sessionId,
    );
    expect(listed).toMatchObject({ attendees: 2, noteStatus: 'none', endsAt: overdue.endsAt });
    await eventually(() => expect(undocumentedEvents.filter((e) => e.sessionId === overdue.sessionId)).toHaveLength(1));

    // Written and signed is not yet documented: the record is complete once locked.
    await documented(overdue);
    await post(clinic.staff, `/sessions/${overdue.sessionId}/group-note/sign`).expect(200);
    expect(await queue()).toContain(overdue.sessionId);
    await post(supervisor, `/sessions/${overdue.sessionId}/group-note/co-sign`).expect(200);
    await post(supervisor, `/sessions/${overdue.sessionId}/group-note/lock`).expect(200);
    expect(await queue()).not.toContain(overdue.sessionId);
    await sweep.sweep();
    expect(await queue()).not.toContain(overdue.sessionId);
    expect(undocumentedEvents.filter((e) => e.sessionId === overdue.sessionId)).toHaveLength(1);
  });

  it('no note text reaches any event: every topic scanned', async () => {
    const documentedEvents = await kit.eventsOf(GroupSessionDocumented);
    await eventually(() => expect(documentedEvents.length).toBeGreaterThanOrEqual(3));
    const { hits, messages } = await scanKafkaForPhi(kit.infra.kafkaBrokers, [
      ...Object.values(NOTE_TEXT),
      'Halvorsen',
      'Quillfeather',
      'Brackenridge',
      'Zephyrine',
      'urge surfing',
      'Practise refusal skills',
    ]);
    expect(messages).toBeGreaterThan(0);
    expect(hits).toEqual([]);
  });
});
