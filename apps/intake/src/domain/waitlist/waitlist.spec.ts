import { nextWaitlistOffer, orderWaitlist, waitlistPosition, type WaitlistEntry } from './waitlist';

const at = (hhmm: string): Date => new Date(`2025-03-03T${hhmm}:00Z`);

function entry(entryId: string, addedAt: string, overrides: Partial<WaitlistEntry> = {}): WaitlistEntry {
  return {
    entryId,
    patientId: `pat-${entryId}`,
    addedAt: at(addedAt),
    urgency: 'routine',
    referralSource: 'self',
    ...overrides,
  };
}

const list: readonly WaitlistEntry[] = [
  entry('a', '09:00'),
  entry('b', '09:30', { referralSource: 'inpatient-step-down' }),
  entry('c', '10:00'),
  entry('d', '11:00', { urgency: 'urgent', referralSource: 'court' }),
  entry('e', '08:00', { urgency: 'expedited', referralSource: 'detox' }),
];

describe('waitlist', () => {
  it('puts urgent people and inpatient step-downs first, then everyone by arrival', () => {
    expect(orderWaitlist(list).map((e) => e.entryId)).toEqual(['b', 'd', 'e', 'a', 'c']);
  });

  it('tells a patient their place in the queue', () => {
    expect(waitlistPosition(list, 'pat-a')).toEqual({ ok: true, value: { position: 4, of: 5, hasPriority: false } });
    expect(waitlistPosition(list, 'pat-d')).toEqual({ ok: true, value: { position: 2, of: 5, hasPriority: true } });
  });

  it('says when a patient is not on the list', () => {
    expect(waitlistPosition(list, 'pat-z')).toMatchObject({ ok: false, error: { code: 'waitlist.not-on-list' } });
  });

  it('offers a freed place to the head of the list', () => {
    expect(nextWaitlistOffer(list)).toMatchObject({ ok: true, value: { entryId: 'b' } });
  });

  it('skips people with an offer pending or who declined', () => {
    const withOffers = list.map((e) =>
      e.entryId === 'b'
        ? { ...e, offer: { status: 'pending' as const, offeredAt: at('12:00'), placeFreedAt: at('12:00') } }
        : e.entryId === 'd'
          ? { ...e, offer: { status: 'declined' as const, offeredAt: at('12:00'), placeFreedAt: at('12:00'), declinedAt: at('13:00') } }
          : e,
    );
    expect(nextWaitlistOffer(withOffers)).toMatchObject({ ok: true, value: { entryId: 'e' } });
    // The place d declined is passed on; d is not offered it again.
    expect(nextWaitlistOffer(withOffers, at('12:00'))).toMatchObject({ ok: true, value: { entryId: 'e' } });
  });

  it('offers someone who declined, or let an offer lapse, the next place freed after it: they kept their spot', () => {
    const passed = list.map((e) =>
      e.entryId === 'b'
        ? { ...e, offer: { status: 'declined' as const, offeredAt: at('12:00'), placeFreedAt: at('12:00'), declinedAt: at('13:00') } }
        : e.entryId === 'd'
          ? { ...e, offer: { status: 'expired' as const, offeredAt: at('12:30'), placeFreedAt: at('12:00'), expiredAt: at('14:00') } }
          : e,
    );
    expect(nextWaitlistOffer(passed, at('12:00'))).toMatchObject({ ok: true, value: { entryId: 'e' } });
    expect(nextWaitlistOffer(passed, at('15:00'))).toMatchObject({ ok: true, value: { entryId: 'b' } });
  });

  it('says why no one can be offered the place', () => {
    const allOffered = list.map((e) => ({ ...e, offer: { status: 'pending' as const, offeredAt: at('12:00'), placeFreedAt: at('12:00') } }));
    expect(nextWaitlistOffer(allOffered)).toEqual({
      ok: false,
      error: { code: 'waitlist.no-one-to-offer', message: 'No one left to offer this place to: 5 with an offer pending, 0 who declined it or let it lapse.' },
    });
    expect(nextWaitlistOffer([])).toMatchObject({ ok: false, error: { message: 'The waitlist is empty.' } });
  });

  it('breaks ties in arrival time the same way every time', () => {
    const tied = [entry('y', '09:00'), entry('x', '09:00')];
    expect(orderWaitlist(tied).map((e) => e.entryId)).toEqual(['x', 'y']);
  });
});
