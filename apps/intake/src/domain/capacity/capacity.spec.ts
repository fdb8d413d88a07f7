import { canAdmitOneMore } from './capacity';

describe('site capacity', () => {
  it('admits when a place is free, saying how many remain', () => {
    expect(canAdmitOneMore({ capacity: 24, activeAdmissions: 22 })).toEqual({
      ok: true,
      value: { placesLeftAfterAdmission: 1 },
    });
  });

  it('takes the last place', () => {
    expect(canAdmitOneMore({ capacity: 24, activeAdmissions: 23 })).toEqual({
      ok: true,
      value: { placesLeftAfterAdmission: 0 },
    });
  });

  it('refuses when full and points to the waitlist', () => {
    expect(canAdmitOneMore({ capacity: 24, activeAdmissions: 24 })).toEqual({
      ok: false,
      error: { code: 'capacity.full', message: 'The site is full: 24 of 24 places taken. Add the patient to the waitlist.' },
    });
  });

  it('says by how much a site is over capacity', () => {
    expect(canAdmitOneMore({ capacity: 20, activeAdmissions: 22 })).toMatchObject({
      error: { message: 'The site is full: 22 of 20 places taken (2 over capacity). Add the patient to the waitlist.' },
    });
  });

  it('refuses nonsense counts', () => {
    expect(canAdmitOneMore({ capacity: -1, activeAdmissions: 0 })).toMatchObject({
      ok: false,
      error: { code: 'capacity.invalid-count' },
    });
    expect(canAdmitOneMore({ capacity: 10, activeAdmissions: 1.5 }).ok).toBe(false);
  });

  it('a site with no places admits no one', () => {
    expect(canAdmitOneMore({ capacity: 0, activeAdmissions: 0 })).toMatchObject({ error: { code: 'capacity.full' } });
  });
});
