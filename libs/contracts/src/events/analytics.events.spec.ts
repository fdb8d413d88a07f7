import { AttendanceFactRecorded, SiteWeekComputed } from './analytics.events';

const fact = {
  factId: '0b6c4a4e-3a1f-4c3e-9d6a-2f1e5b7c8d90',
  revision: 1,
  patientKey: `pk_${'a'.repeat(64)}`,
  keyId: 'k1',
  siteId: '5f0c4a4e-3a1f-4c3e-9d6a-2f1e5b7c8d91',
  programKind: 'substance-use',
  levelOfCare: '2.1',
  sessionKind: 'group',
  modality: 'in-person',
  serviceDate: '2026-03-02',
  isoWeek: '2026-W10',
  scheduledMinutes: 180,
  attendedMinutes: 170,
  lateMinutes: 10,
  earlyMinutes: 0,
  status: 'late',
  occurredAt: '2026-03-02T21:00:00Z',
};

describe('the analytics contracts', () => {
  it('accept a fact with only the listed fields', () => {
    expect(AttendanceFactRecorded.schema.safeParse(fact).success).toBe(true);
  });

  it.each([
    ['patientName', 'Ada Lovelace'],
    ['birthDate', '1980-01-01'],
    ['memberId', 'ACTIVE123'],
    ['note', 'talked about relapse'],
    ['patientId', fact.factId],
  ])('refuse a fact carrying an unlisted field (%s), so a leak fails at produce time', (field, value) => {
    expect(AttendanceFactRecorded.schema.safeParse({ ...fact, [field]: value }).success).toBe(false);
  });

  it('refuse a patient key that is not a pseudonym', () => {
    expect(AttendanceFactRecorded.schema.safeParse({ ...fact, patientKey: fact.factId }).success).toBe(false);
  });

  it('refuse a site-week cell that shows a value while claiming to be suppressed', () => {
    const cell = { value: 12, suppressed: false };
    const week = {
      siteId: fact.siteId,
      isoWeek: '2026-W10',
      weekStart: '2026-03-02',
      census: cell,
      sessionsScheduled: cell,
      sessionsAttended: cell,
      noShows: { value: null, suppressed: true },
      attendanceRate: cell,
      noShowRate: { value: null, suppressed: true },
      hoursPerPatient: cell,
      revision: 1,
      occurredAt: fact.occurredAt,
    };
    expect(SiteWeekComputed.schema.safeParse(week).success).toBe(true);
    expect(SiteWeekComputed.schema.safeParse({ ...week, noShows: { value: 3, suppressed: true } }).success).toBe(false);
  });
});
