import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@iop/auth';
import { UnitOfWork } from '@iop/platform';
import { auditPatients } from './audit';
import { refuse } from './intake-errors';

interface FollowUpTask {
  taskId: string;
  siteId: string;
  referralId: string;
  patientId: string;
  kind: string;
  detail: string;
  createdAt: Date;
}

/** The coordinator's to-do list: what the admission saga and the waitlist could not settle on their own. */
@Injectable()
export class FollowUpTasks {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditTrail,
  ) {}

  /** Each task names a patient and says what happened to their admission: every patient listed is audited. */
  open(siteId: string) {
    return this.uow.run(async ({ manager, principal, requestId }) => {
      const tasks = (await manager.query(
        `SELECT task_id AS "taskId", site_id AS "siteId", referral_id AS "referralId", patient_id AS "patientId", kind, detail, created_at AS "createdAt"
           FROM follow_up_tasks WHERE site_id = $1 AND completed_at IS NULL ORDER BY created_at`,
        [siteId],
      )) as FollowUpTask[];
      await auditPatients(this.audit, manager, { principal, requestId }, 'list', 'follow-up-tasks', tasks);
      return tasks;
    });
  }

  complete(taskId: string) {
    return this.uow.run(async ({ manager, principal }) => {
      const rows: Array<{ completed_at: Date | null }> = await manager.query(`SELECT completed_at FROM follow_up_tasks WHERE task_id = $1 FOR UPDATE`, [
        taskId,
      ]);
      const task = rows[0];
      if (!task) throw refuse({ code: 'task.unknown', message: `there is no follow-up task ${taskId} at the sites you can see` });
      if (task.completed_at) throw refuse({ code: 'task.already-done', message: `this task was completed on ${task.completed_at.toISOString()}` });
      await manager.query(`UPDATE follow_up_tasks SET completed_at = now(), completed_by = $2 WHERE task_id = $1`, [taskId, principal.subject]);
      return { taskId, completed: true };
    });
  }
}
