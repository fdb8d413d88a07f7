import { documentationGaps, needsCoSignature, refuseAddendum, refuseCoSign, refuseEdit, refuseLock, refuseSign, type NoteState } from './group-documentation';

const state = (overrides: Partial<NoteState> = {}): NoteState => ({ status: 'draft', signedBy: null, needsCoSignature: false, ...overrides });
const signedByClinician = state({ status: 'signed', signedBy: 'clin-1', needsCoSignature: true });
const supervisor = { subject: 'sup-1', roles: ['clinical_supervisor'] };

describe('group documentation', () => {
  describe('who needs a co-signature', () => {
    it('a clinician without the supervisor role does', () => expect(needsCoSignature(['clinician'])).toBe(true));
    it('a clinical supervisor does not', () => expect(needsCoSignature(['clinician', 'clinical_supervisor'])).toBe(false));
  });

  describe('the steps, in order', () => {
    it('a draft may be edited and signed, not co-signed, locked or given an addendum', () => {
      expect(refuseEdit(state())).toBeUndefined();
      expect(refuseSign(state())).toBeUndefined();
      expect(refuseCoSign(state(), supervisor)?.code).toBe('group-note.not-signed');
      expect(refuseLock(state())?.code).toBe('group-note.not-signed');
      expect(refuseAddendum(state())?.code).toBe('group-note.draft');
    });

    it("a clinician's signature waits for a supervisor's co-signature before the lock", () => {
      expect(refuseEdit(signedByClinician)?.code).toBe('group-note.signed');
      expect(refuseSign(signedByClinician)?.code).toBe('group-note.already-signed');
      expect(refuseLock(signedByClinician)?.code).toBe('group-note.awaiting-co-signature');
      expect(refuseCoSign(signedByClinician, supervisor)).toBeUndefined();
      expect(refuseLock(state({ ...signedByClinician, status: 'co-signed' }))).toBeUndefined();
    });

    it("a supervisor's own signature is locked without a co-signature, and cannot be co-signed", () => {
      const own = state({ status: 'signed', signedBy: 'sup-1', needsCoSignature: false });
      expect(refuseLock(own)).toBeUndefined();
      expect(refuseCoSign(own, { subject: 'sup-2', roles: ['clinical_supervisor'] })?.code).toBe('group-note.no-co-signature-needed');
    });

    it('only a supervisor other than the writer co-signs (403 otherwise)', () => {
      expect(refuseCoSign(signedByClinician, { subject: 'clin-2', roles: ['clinician'] })).toMatchObject({ forbidden: true });
      const supervisorWhoWrote = state({ status: 'signed', signedBy: 'sup-1', needsCoSignature: true });
      expect(refuseCoSign(supervisorWhoWrote, supervisor)).toMatchObject({ code: 'group-note.own-signature', forbidden: true });
    });

    it('locked documentation takes addenda only, with a message that says so', () => {
      const locked = state({ status: 'locked', signedBy: 'clin-1' });
      expect(refuseEdit(locked)).toMatchObject({ code: 'group-note.locked', message: expect.stringContaining('addendum') });
      expect(refuseLock(locked)?.code).toBe('group-note.locked');
      expect(refuseAddendum(locked)).toBeUndefined();
    });
  });

  it('finds attendees without a progress note and progress notes of patients who did not attend', () => {
    expect(documentationGaps(['b', 'a', 'c'], ['c', 'd'])).toEqual({ missing: ['a', 'b'], notAttending: ['d'] });
    expect(documentationGaps(['a'], ['a'])).toEqual({ missing: [], notAttending: [] });
  });
});
