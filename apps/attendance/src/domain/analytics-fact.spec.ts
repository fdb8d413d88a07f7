import { AttendanceFactRecorded, AttendanceWeekComputed, SiteWeekComputed } from '@iop/contracts';
import { analyticsFactFor, type AnalyticsRecord, attendanceWeekFor, factIdFor, isoWeekOf, siteWeekFor } from './analytics-fact';
import { parsePseudonymKeys, Pseudonymiser } from './pseudonym';

const pseudonymiser = new Pseudonymiser(parsePseudonymKeys('k1:a-test-secret-that-is-long-enough-0123456789'));
const SITE = '11111111-1111-4111-8111-111111111111';
const PATIENT = '22222222-2222-4222-8222-222222222222';
let n = 0;

function aRecord(overrides: Partial<AnalyticsRecord> = {}): AnalyticsRecord {
  n++;
  return {
    recordId: `33333333-3333-4333-8333-${String(n).padStart(12, '0')}`,
    sessionId: `44444444-4444-4444-8444-${String(n).padStart(12, '0')}`,
    patientId: PATIENT,
    siteId: SITE,
    enrolmentId: null,
    episodeId: null,
    programId: null,
    serviceDate: '2026-03-09',
    status: 'attended',
    checkInAt: '2026-03-09T17:00:00Z',
    checkOutAt: '2026-03-09T20:00:00Z',
    scheduledMinutes: 180,
    attendedMinutes: 180,
    lateMinutes: 0,
    earlyMinutes: 0,
    revision: 1,
    changes: 1,
    source: 'staff',
    recordedAt: '2026-03-09T20:00:00.000Z',
    updatedAt: '2026-03-09T20:00:00.000Z',
    session: { kind: 'group', delivery: 'in-person', modality: 'DBT skills', startsAt: '2026-03-09T17:00:00.000Z', endsAt: '2026-03-09T20:00:00.000Z' },
    program: { kind: 'substance-use', levelOfCare: '2.1', perDiemMinimumMinutes: 180 },
    timeZone: 'America/Los_Angeles',
    ...overrides,
  };
}

describe('the ISO week of a site-local date', () => {
  it.each([
    ['2026-03-09', '2026-W11', '2026-03-09'],
    ['2026-03-15', '2026-W11', '2026-03-09'],
    ['2027-01-01', '2026-W53', '2026-12-28'],
    ['2024-12-30', '2025-W01', '2024-12-30'],
  ])('of %s is %s starting %s', (date, week, start) => {
    expect(isoWeekOf(date)).toEqual({ isoWeek: week, weekStart: start });
  });
});

describe('an analytics fact', () => {
  it('carries a pseudonymous key, never the patient, session or record id, and satisfies the strict contract', () => {
    const record = aRecord();
    const fact = analyticsFactFor(record, { pseudonymiser });
    expect(AttendanceFactRecorded.schema.parse(fact)).toEqual(fact);
    const text = JSON.stringify(fact);
    for (const id of [record.patientId, record.recordId, record.sessionId]) expect(text).not.toContain(id);
    expect(text).not.toContain('DBT');
    expect(fact).toMatchObject({
      keyId: 'k1',
      programKind: 'substance-use',
      levelOfCare: '2.1',
      sessionKind: 'group',
      modality: 'in-person',
      isoWeek: '2026-W11',
    });
  });

  it('keeps its fact id through a correction, with the record revision', () => {
    const first = aRecord();
    const corrected = {
      ...first,
      revision: 2,
      changes: 2,
      attendedMinutes: 120,
      earlyMinutes: 60,
      status: 'left-early' as const,
      updatedAt: '2026-03-10T09:00:00.000Z',
    };
    const a = analyticsFactFor(first, { pseudonymiser });
    const b = analyticsFactFor(corrected, { pseudonymiser });
    expect(b.factId).toBe(a.factId);
    expect(b).toMatchObject({ revision: 2, attendedMinutes: 120, earlyMinutes: 60, status: 'left-early' });
  });

  it('has a higher revision when a check-out completes the first revision of the record', () => {
    const checkedIn = aRecord({ attendedMinutes: 0, changes: 1 });
    const checkedOut = { ...checkedIn, attendedMinutes: 180, changes: 2 };
    expect(analyticsFactFor(checkedOut, { pseudonymiser }).revision).toBeGreaterThan(analyticsFactFor(checkedIn, { pseudonymiser }).revision);
  });

  it('is the same payload when built again (a replay is recognisably the same fact)', () => {
    const record = aRecord();
    expect(analyticsFactFor(record, { pseudonymiser })).toEqual(analyticsFactFor(record, { pseudonymiser }));
    expect(factIdFor(record.recordId)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('counts no minutes for an absence, and names an excused one plainly', () => {
    const fact = analyticsFactFor(aRecord({ status: 'excused', attendedMinutes: 0 }), { pseudonymiser });
    expect(fact).toMatchObject({ status: 'excused-absence', attendedMinutes: 0, lateMinutes: 0, earlyMinutes: 0 });
  });
});

describe("a patient's analytics week", () => {
  it('sums minutes, counts statuses and billable days, and says whether the plan minimum was met', () => {
    const week = attendanceWeekFor(
      [
        aRecord({ serviceDate: '2026-03-09', attendedMinutes: 180 }),
        aRecord({ serviceDate: '2026-03-10', status: 'left-early', attendedMinutes: 170, earlyMinutes: 10 }),
        aRecord({ serviceDate: '2026-03-12', status: 'no-show', attendedMinutes: 0 }),
        aRecord({ serviceDate: '2026-03-13', status: 'cancelled-by-clinic', attendedMinutes: 0, revision: 2, changes: 2 }),
      ],
      { pseudonymiser, planMinimumMinutes: 540 },
    );
    expect(AttendanceWeekComputed.schema.parse(week)).toEqual(week);
    expect(week).toMatchObject({
      isoWeek: '2026-W11',
      weekStart: '2026-03-09',
      scheduledMinutes: 540,
      attendedMinutes: 350,
      sessions: 4,
      billableDays: 1,
      planMinimumMet: false,
      revision: 5,
      statusCounts: { attended: 1, 'left-early': 1, 'no-show': 1, 'cancelled-by-clinic': 1, late: 0 },
    });
  });

  it('has no verdict on the plan when there is no minimum', () => {
    expect(attendanceWeekFor([aRecord()], { pseudonymiser, planMinimumMinutes: null })).toMatchObject({ planMinimumMet: null });
  });
});

describe("a site's analytics week", () => {
  it('suppresses everything when fewer than 11 patients came', () => {
    const week = siteWeekFor(SITE, [aRecord(), aRecord({ patientId: '55555555-5555-4555-8555-555555555555' })]);
    expect(SiteWeekComputed.schema.parse(week)).toEqual(week);
    expect(week.census).toEqual({ value: null, suppressed: true });
    expect(week.attendanceRate).toEqual({ value: null, suppressed: true });
  });

  it('shows the figures of a large enough week, leaving clinic cancellations out', () => {
    const patients = Array.from({ length: 12 }, (_, i) => `66666666-6666-4666-8666-${String(i).padStart(12, '0')}`);
    const records = [
      ...patients.map((patientId) => aRecord({ patientId })),
      ...patients.map((patientId) => aRecord({ patientId, serviceDate: '2026-03-10', status: 'no-show', attendedMinutes: 0 })),
      aRecord({ patientId: patients[0]!, serviceDate: '2026-03-11', status: 'cancelled-by-clinic', attendedMinutes: 0 }),
    ];
    expect(siteWeekFor(SITE, records)).toMatchObject({
      census: { value: 12, suppressed: false },
      sessionsScheduled: { value: 24, suppressed: false },
      attendanceRate: { value: 0.5, suppressed: false },
      noShowRate: { value: 0.5, suppressed: false },
      hoursPerPatient: { value: 3, suppressed: false },
    });
  });
});
