import { changeSite, newSite } from './site';

const aSite = () =>
  newSite('6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b', {
    name: 'Riverside IOP',
    address: { line1: '1 Main St', city: 'Boston', state: 'MA', postalCode: '02110' },
    timeZone: 'America/New_York',
    capacity: 40,
  });

describe('a site', () => {
  it('starts at revision 1', () => {
    expect(aSite().revision).toBe(1);
  });

  it('moves to the next revision when something changes', () => {
    const { site, changed } = changeSite(aSite(), { capacity: 45 });
    expect(changed).toBe(true);
    expect(site).toMatchObject({ capacity: 45, revision: 2 });
  });

  it('keeps its revision when an update changes nothing', () => {
    const { site, changed } = changeSite(aSite(), { capacity: 40, name: 'Riverside IOP' });
    expect(changed).toBe(false);
    expect(site.revision).toBe(1);
  });
});
