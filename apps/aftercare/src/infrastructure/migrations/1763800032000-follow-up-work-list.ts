import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The site's follow-up work list (`GET /sites/{siteId}/follow-ups`) pages by keyset on (due_on, follow_up_id) within
 * a state: this index matches that order, so a page reads only its own rows however many discharges the site has had.
 * The open list (due or overdue) has a partial index of its own, since it is the one staff read all day.
 */
export class FollowUpWorkList1763800032000 implements MigrationInterface {
  name = 'FollowUpWorkList1763800032000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX follow_ups_site_open ON aftercare.follow_ups (site_id, due_on, follow_up_id) WHERE state IN ('due', 'overdue')`);
    await q.query(`CREATE INDEX follow_ups_site_state ON aftercare.follow_ups (site_id, state, due_on, follow_up_id)`);
    await q.query(`DROP INDEX aftercare.follow_ups_site_due`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX follow_ups_site_due ON aftercare.follow_ups (site_id, due_on)`);
    await q.query(`DROP INDEX aftercare.follow_ups_site_state`);
    await q.query(`DROP INDEX aftercare.follow_ups_site_open`);
  }
}
