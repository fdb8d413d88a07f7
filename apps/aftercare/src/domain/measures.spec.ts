import { shown, SUPPRESSED } from '@iop/domain';
import { siteMonthFigures, siteMonthMeasures, type DischargeForMeasures } from './measures';

const discharge = (dischargedOn: string, type: DischargeForMeasures['type'], contactDates: string[] = [], readmittedOn: string | null = null) => ({
  dischargedOn,
  type,
  contactDates,
  readmittedOn,
});

/** March 2026 at one site, worked by hand (days after the discharge date in the comments). */
const march: DischargeForMeasures[] = [
  discharge('2026-03-02', 'completed', ['2026-03-06']), // contact +4: 7-day and 30-day
  discharge('2026-03-05', 'completed', ['2026-03-12']), // contact +7: still within 7 days
  discharge('2026-03-10', 'against-clinical-advice', ['2026-03-18'], '2026-04-01'), // contact +8: 30-day only; readmitted +22
  discharge('2026-03-15', 'completed', ['2026-03-15', '2026-04-14']), // the discharge day does not count; +30 does
  discharge('2026-03-20', 'administrative', [], '2026-05-20'), // no contact; readmitted +61: within 90 only
  discharge('2026-03-25', 'step-up', ['2026-03-26']), // care continues at a higher level: not eligible
  discharge('2026-03-31', 'transfer'), // care continues at another site: not eligible
  discharge('2026-03-31', 'completed', ['2026-05-01'], '2026-06-29'), // contact +31: neither; readmitted +90
  discharge('2026-02-28', 'completed', ['2026-03-01']), // February's: not in March
];

describe("a site's month of discharges", () => {
  it('matches the hand-worked follow-up, completion and readmission figures', () => {
    expect(siteMonthMeasures('2026-03', march)).toEqual({
      month: '2026-03',
      discharges: 8,
      eligible: 6,
      followUp7: 2,
      followUp7Rate: 0.3333,
      followUp30: 4,
      followUp30Rate: 0.6667,
      completed: 4,
      completionRate: 0.5,
      againstAdvice: 1,
      againstAdviceRate: 0.125,
      readmitted30: 1,
      readmission30Rate: 0.1667,
      readmitted90: 3,
      readmission90Rate: 0.5,
    });
  });

  it('gives zeros, not a division by zero, for a month without discharges', () => {
    expect(siteMonthMeasures('2026-04', march)).toMatchObject({ discharges: 0, followUp7Rate: 0, completionRate: 0 });
  });

  it('withholds every figure of a month with 1 to 10 discharges', () => {
    const figures = siteMonthFigures(siteMonthMeasures('2026-03', march));
    expect(Object.values(figures).every((cell) => cell.suppressed && cell.value === null)).toBe(true);
  });

  it('shows the counts of 11 or more and withholds the small ones with their rates', () => {
    const figures = siteMonthFigures({
      discharges: 40,
      eligible: 36,
      followUp7: 18,
      followUp30: 30,
      completed: 28,
      againstAdvice: 6,
      readmitted30: 3,
      readmitted90: 12,
    });
    expect(figures.followUp7Rate).toEqual(shown(0.5));
    expect(figures.followUp30Rate).toEqual(shown(0.8333));
    expect(figures.completionRate).toEqual(shown(0.7));
    expect(figures.againstAdvice).toEqual(SUPPRESSED);
    expect(figures.againstAdviceRate).toEqual(SUPPRESSED);
    expect(figures.readmission30Rate).toEqual(SUPPRESSED);
    expect(figures.readmission90Rate).toEqual(shown(0.3333));
  });
});
