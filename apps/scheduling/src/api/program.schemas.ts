import { z } from 'zod';
import { LevelOfCare, ProgramKind, ProgramPopulation } from '@iop/contracts';
import { ResponseId, nameSchemas } from '@iop/platform';

const Minutes = z
  .number()
  .int('whole minutes')
  .min(0)
  .max(168 * 60);

const Name = z.string().trim().min(1, 'give the program a name').max(120);

export const DefineProgramBody = z
  .strictObject({
    name: Name,
    kind: ProgramKind,
    population: ProgramPopulation,
    levelOfCare: LevelOfCare.describe('ASAM level: 1 OP, 2.1 IOP, 2.5 PHP'),
    minWeeklyMinutes: Minutes.optional().describe("Default: ASAM's least for the level and population (2.1 adults 540)"),
    maxWeeklyMinutes: Minutes.nullable().optional().describe("Inclusive; null for no upper bound. Default: ASAM's most (2.1: 1140; 2.5: none)"),
    perDiemMinimumMinutes: z.number().int().min(0).max(720).optional().describe('Default 180 (3 h)'),
    defaultLengthWeeks: z.number().int().min(1).max(104).optional().describe('Default 10'),
  })
  .refine(
    (b) => b.minWeeklyMinutes === undefined || b.maxWeeklyMinutes === undefined || b.maxWeeklyMinutes === null || b.maxWeeklyMinutes >= b.minWeeklyMinutes,
    {
      message: 'maxWeeklyMinutes must not be below minWeeklyMinutes',
      path: ['maxWeeklyMinutes'],
    },
  );
export type DefineProgramBody = z.infer<typeof DefineProgramBody>;

export const ChangeProgramBody = z
  .strictObject({
    name: Name,
    minWeeklyMinutes: Minutes,
    maxWeeklyMinutes: Minutes.nullable(),
    perDiemMinimumMinutes: z.number().int().min(0).max(720),
    defaultLengthWeeks: z.number().int().min(1).max(104),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one field to change' });
export type ChangeProgramBody = z.infer<typeof ChangeProgramBody>;

export const ProgramView = z.object({
  programId: ResponseId,
  siteId: ResponseId,
  name: z.string(),
  kind: ProgramKind,
  population: ProgramPopulation,
  levelOfCare: LevelOfCare,
  minWeeklyMinutes: z.number().int(),
  maxWeeklyMinutes: z.number().int().nullable(),
  weeklyRange: z.string().describe('The range as people say it, e.g. "9 h to 19 h"'),
  perDiemMinimumMinutes: z.number().int(),
  defaultLengthWeeks: z.number().int(),
  revision: z.number().int().min(1),
});
export type ProgramView = z.infer<typeof ProgramView>;
export const ProgramList = z.array(ProgramView).describe("The site's programs by name");

nameSchemas({ Program: ProgramView });
