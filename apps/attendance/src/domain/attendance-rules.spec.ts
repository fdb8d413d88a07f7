import { assessAttendance, mergeIntervals } from './attendance-rules';

const at = (hhmm: string) => new Date(`2026-03-09T${hhmm}:00Z`);
const session = { scheduledStart: at('18:00'), scheduledEnd: at('21:00') };

describe('assessing a patient at a session', () => {
  it('on time for the whole session is attended, with the scheduled minutes', () => {
    expect(assessAttendance({ ...session, intervals: [{ from: at('17:55'), to: at('21:00') }] })).toEqual({
      status: 'attended',
      scheduledMinutes: 180,
      attendedMinutes: 180,
      lateMinutes: 0,
      earlyMinutes: 0,
    });
  });

  it('a few minutes late is within grace; beyond it the status is late and the minutes are counted', () => {
    expect(assessAttendance({ ...session, intervals: [{ from: at('18:04'), to: null }] })).toMatchObject({
      status: 'attended',
      lateMinutes: 4,
      attendedMinutes: 176,
    });
    expect(assessAttendance({ ...session, intervals: [{ from: at('18:20'), to: null }] })).toMatchObject({
      status: 'late',
      lateMinutes: 20,
      attendedMinutes: 160,
    });
  });

  it('leaving 10 minutes before the end is left early, with 10 early minutes', () => {
    expect(assessAttendance({ ...session, intervals: [{ from: at('18:00'), to: at('20:50') }] })).toMatchObject({
      status: 'left-early',
      earlyMinutes: 10,
      attendedMinutes: 170,
    });
  });

  it('late and early both: the larger shortfall names the status', () => {
    expect(assessAttendance({ ...session, intervals: [{ from: at('18:30'), to: at('20:50') }] })).toMatchObject({
      status: 'late',
      lateMinutes: 30,
      earlyMinutes: 10,
    });
  });

  it('an absence set by hand counts no minutes', () => {
    expect(assessAttendance({ ...session, intervals: [], absence: 'excused' })).toMatchObject({ status: 'excused', attendedMinutes: 0 });
  });

  it('no interval inside the window is a no-show', () => {
    expect(assessAttendance({ ...session, intervals: [{ from: at('21:05'), to: at('21:30') }] })).toMatchObject({ status: 'no-show', attendedMinutes: 0 });
  });

  it('telehealth: join, drop, rejoin and leave merge into the minutes actually in the call', () => {
    const intervals = [
      { from: at('17:58'), to: at('19:00') },
      { from: at('19:10'), to: at('20:00') },
      { from: at('19:50'), to: at('21:02') },
    ];
    expect(assessAttendance({ ...session, intervals })).toMatchObject({ status: 'attended', attendedMinutes: 170, lateMinutes: 0, earlyMinutes: 0 });
  });

  it('merging clips to the window and joins overlapping and touching intervals', () => {
    expect(
      mergeIntervals(
        [
          { from: at('18:30'), to: at('19:00') },
          { from: at('17:00'), to: at('18:10') },
          { from: at('19:00'), to: at('19:30') },
        ],
        session.scheduledStart,
        session.scheduledEnd,
      ),
    ).toEqual([
      { from: at('18:00').getTime(), to: at('18:10').getTime() },
      { from: at('18:30').getTime(), to: at('19:30').getTime() },
    ]);
  });
});
