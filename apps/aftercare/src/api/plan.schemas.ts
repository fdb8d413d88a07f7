import { z } from 'zod';
import { AftercareItemOwner, AftercarePlanItemKind, Id, LevelOfCare } from '@iop/contracts';
import { ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';

const LocalDate = z.iso.date();
const Text = (max: number) => z.string().trim().min(1).max(max);

/** What every item has: who carries it out and from when to when. */
const ItemBase = {
  owner: AftercareItemOwner.describe('Who carries the item out'),
  /** The owner by staff id, when the owner is a member of staff. */
  ownerStaffId: Id.nullable().optional(),
  startsOn: LocalDate.describe('Site-local date the item starts'),
  endsOn: LocalDate.nullable().optional().describe('Site-local date it ends (none: open-ended)'),
  notes: Text(1000).optional().describe('Stays in aftercare: never in an event'),
};

const MUTUAL_HELP = ['aa', 'na', 'ca', 'smart-recovery', 'refuge-recovery', 'celebrate-recovery', 'other'] as const;
const MAT_MEDICATIONS = ['buprenorphine', 'methadone', 'naltrexone', 'acamprosate', 'disulfiram', 'other'] as const;
const FAMILY_SUPPORT = ['family-therapy', 'al-anon', 'nar-anon', 'craft', 'psychoeducation', 'other'] as const;

export const PlanItem = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('continuing-care'),
      ...ItemBase,
      programId: Id.nullable().describe("The step-down program in the network (scheduling's), or null for care outside it"),
      levelOfCare: LevelOfCare.optional(),
      provider: Text(200).optional().describe('The outside provider, when programId is null'),
      sessionsPerWeek: z.number().int().min(1).max(14).optional(),
    }),
    z.strictObject({ kind: z.literal('alumni-group'), ...ItemBase, nextOn: LocalDate.optional().describe('The next meeting') }),
    z.strictObject({
      kind: z.literal('mutual-help'),
      ...ItemBase,
      fellowship: z.enum(MUTUAL_HELP).describe('AA, NA, CA, SMART Recovery...'),
      meetingsPerWeek: z.number().int().min(1).max(14),
      nextOn: LocalDate.optional(),
    }),
    z.strictObject({
      kind: z.literal('sober-living'),
      ...ItemBase,
      residence: Text(200).describe('Where the patient is referred'),
      nextOn: LocalDate.optional().describe('The move-in or intake date'),
    }),
    z.strictObject({
      kind: z.literal('mat-continuation'),
      ...ItemBase,
      medication: z.enum(MAT_MEDICATIONS),
      prescriberStaffId: Id.nullable().optional().describe('The prescriber, when on staff'),
      prescriber: Text(200).optional().describe('The outside prescriber'),
      nextAppointmentOn: LocalDate.describe("The prescriber's next appointment"),
    }),
    z.strictObject({ kind: z.literal('family-support'), ...ItemBase, support: z.enum(FAMILY_SUPPORT), nextOn: LocalDate.optional() }),
    z.strictObject({
      kind: z.literal('crisis-plan'),
      ...ItemBase,
      crisisLine: z.literal('988').default('988').describe('The 988 Suicide & Crisis Lifeline'),
      warningSigns: z.array(Text(200)).max(10).optional(),
      copingSteps: z.array(Text(200)).max(10).optional(),
      supportContacts: z
        .array(z.strictObject({ name: Text(100), phone: z.string().regex(/^\+?[0-9 ()-]{7,20}$/) }))
        .max(5)
        .optional(),
      nextOn: LocalDate.optional().describe('When the crisis plan is reviewed'),
    }),
  ])
  .refine((item) => !item.endsOn || item.endsOn >= item.startsOn, { message: 'endsOn is before startsOn', path: ['endsOn'] })
  .refine((item) => item.kind !== 'mat-continuation' || Boolean(item.prescriberStaffId || item.prescriber), {
    message: 'name the prescriber (prescriberStaffId or prescriber)',
    path: ['prescriber'],
  });
export type PlanItem = z.infer<typeof PlanItem>;

export const PlanBody = z.strictObject({
  items: z.array(PlanItem).min(1).max(50),
  expectedVersion: z.number().int().min(1).optional().describe('The version the change was made on: a newer one answers 409'),
});
export type PlanBody = z.infer<typeof PlanBody>;

export const PlanView = z.object({
  planId: ResponseId,
  episodeId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  version: z.number().int(),
  items: z.array(z.looseObject({ kind: AftercarePlanItemKind })),
  recordedBy: z.string(),
  recordedAt: ResponseInstant,
});

export const PlanVersionsView = z.object({ episodeId: ResponseId, versions: z.array(PlanView) });

nameSchemas({ AftercarePlan: PlanView });
