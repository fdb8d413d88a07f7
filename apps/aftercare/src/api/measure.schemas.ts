import { z } from 'zod';
import { ResponseId, nameSchemas } from '@iop/platform';

export const MonthQuery = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as 2026-03'),
});
export type MonthQuery = z.infer<typeof MonthQuery>;

const Count = z.number().int().min(0);
const Rate = z.number().min(0).max(1);

export const SiteMonthView = z.object({
  siteId: ResponseId,
  month: z.string(),
  discharges: Count.describe('Discharges with a site-local discharge date in the month'),
  eligible: Count.describe('Discharges counted for follow-up and readmission (all but step-up and transfer)'),
  followUp7: Count.describe('Eligible discharges with a completed follow-up contact 1-7 days after the discharge date'),
  followUp7Rate: Rate,
  followUp30: Count.describe('... 1-30 days after'),
  followUp30Rate: Rate,
  completed: Count,
  completionRate: Rate.describe('completed / discharges'),
  againstAdvice: Count,
  againstAdviceRate: Rate.describe('against clinical advice / discharges'),
  readmitted30: Count.describe('Eligible discharges with a new admission of the patient 0-30 days after'),
  readmission30Rate: Rate,
  readmitted90: Count,
  readmission90Rate: Rate,
});

nameSchemas({ AftercareSiteMonth: SiteMonthView });
