import { z } from 'zod';
import { ResponseDate, ResponseId, ResponseInstant, nameSchemas } from '@iop/platform';

const Day = z.iso.date({ message: 'a date, YYYY-MM-DD' });

const MilestoneBody = z.strictObject({
  description: z.string().trim().min(1, 'describe the milestone').max(500),
  targetDate: Day,
  met: z.boolean().default(false),
});

const GoalBody = z.strictObject({
  description: z.string().trim().min(1, 'describe the goal').max(1000),
  targetDate: Day,
  milestones: z.array(MilestoneBody).max(20).default([]),
});

export const UpdatePlanBody = z.strictObject({
  version: z.number().int().min(1).describe('The version this change was made from; a stale version is refused with 409'),
  reason: z.string().trim().min(1, 'say why the plan changes (e.g. "30-day review: milestones met")').max(1000),
  weeklyGroupMinutes: z
    .number()
    .int()
    .min(0)
    .max(40 * 60)
    .multipleOf(15, 'weekly group minutes come in quarter hours'),
  individualPerWeek: z.number().int().min(0).max(14),
  familyPerMonth: z.number().int().min(0).max(31),
  psychiatricPerMonth: z.number().int().min(0).max(31),
  goals: z.array(GoalBody).max(20),
  nextReviewOn: Day.optional().describe('Default: 30 days from today'),
});
export type UpdatePlanBody = z.infer<typeof UpdatePlanBody>;

const Goal = z.object({
  description: z.string(),
  targetDate: ResponseDate,
  milestones: z.array(z.object({ description: z.string(), targetDate: ResponseDate, met: z.boolean() })),
});

const PlanContentView = z.object({
  weeklyGroupMinutes: z.number().int(),
  individualPerWeek: z.number().int(),
  familyPerMonth: z.number().int(),
  psychiatricPerMonth: z.number().int(),
  goals: z.array(Goal),
  effectiveFrom: ResponseDate,
  nextReviewOn: ResponseDate,
});

export const PlanView = PlanContentView.extend({
  planId: ResponseId,
  enrolmentId: ResponseId,
  patientId: ResponseId,
  siteId: ResponseId,
  version: z.number().int().min(1),
  updatedBy: z.string(),
  updatedAt: ResponseInstant,
  placementNote: z.string().nullable().describe("Set when the plan asks for more group hours than the patient's track offers"),
});

export const PlanVersionList = z.array(
  z.object({ version: z.number().int().min(1), plan: PlanContentView, reason: z.string(), changedBy: z.string(), changedAt: ResponseInstant }),
);

nameSchemas({ TreatmentPlan: PlanView, TreatmentPlanVersions: PlanVersionList });
