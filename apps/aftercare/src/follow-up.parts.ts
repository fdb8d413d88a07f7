import { FollowUpsController } from './api/follow-ups.controller';
import { FollowUpSweep, FollowUps } from './application/follow-up.use-cases';
import { followUpPlanningHandlers } from './application/follow-up-planning';
import { MeasureQueries } from './application/measure.queries';
import { OutcomeCheckIns } from './application/outcome.use-cases';
import { AftercarePlans } from './application/plan.use-cases';
import { ReadmissionReferrals } from './application/readmission.use-cases';
import { FollowUps1763800031000 } from './infrastructure/migrations/1763800031000-follow-ups';
import { FollowUpWorkList1763800032000 } from './infrastructure/migrations/1763800032000-follow-up-work-list';

/*
 * Everything after the discharge (follow-ups, plans, outcomes, readmissions, measures), as the arrays the aftercare
 * module spreads: one line each there, so the discharge work beside it merges without conflict.
 */
export const followUpMigrations = [FollowUps1763800031000, FollowUpWorkList1763800032000];
export const followUpHandlers = followUpPlanningHandlers;
/** Written once, never changed: every attempt, plan version and check-in as recorded. */
export const followUpAppendOnlyTables = ['follow_up_attempts', 'plan_versions', 'outcome_check_ins', 'outcome_safety_concerns'];
export const followUpControllers = [FollowUpsController];
export const followUpProviders = [FollowUps, FollowUpSweep, AftercarePlans, OutcomeCheckIns, ReadmissionReferrals, MeasureQueries];
