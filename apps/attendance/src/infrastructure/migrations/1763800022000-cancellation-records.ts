import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Records scheduling's cancellations: a session or appointment the clinic or the patient cancelled becomes a record
 * (`cancelled-by-clinic` / `cancelled-by-patient`) whose source is `scheduling` and whose version's change is
 * `cancellation`. The two CHECK constraints gain those values; nothing else changes.
 */
export class CancellationRecords1763800022000 implements MigrationInterface {
  name = 'CancellationRecords1763800022000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attendance.attendance_records DROP CONSTRAINT attendance_records_source_check`);
    await q.query(`ALTER TABLE attendance.attendance_records ADD CONSTRAINT attendance_records_source_check
      CHECK (source IN ('staff', 'group', 'kiosk', 'telehealth', 'correction', 'scheduling'))`);
    await q.query(`ALTER TABLE attendance.attendance_record_versions DROP CONSTRAINT attendance_record_versions_change_check`);
    await q.query(`ALTER TABLE attendance.attendance_record_versions ADD CONSTRAINT attendance_record_versions_change_check
      CHECK (change IN ('check-in', 'check-out', 'group', 'kiosk', 'telehealth', 'correction', 'cancellation'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE attendance.attendance_record_versions DROP CONSTRAINT attendance_record_versions_change_check`);
    await q.query(`ALTER TABLE attendance.attendance_record_versions ADD CONSTRAINT attendance_record_versions_change_check
      CHECK (change IN ('check-in', 'check-out', 'group', 'kiosk', 'telehealth', 'correction'))`);
    await q.query(`ALTER TABLE attendance.attendance_records DROP CONSTRAINT attendance_records_source_check`);
    await q.query(`ALTER TABLE attendance.attendance_records ADD CONSTRAINT attendance_records_source_check
      CHECK (source IN ('staff', 'group', 'kiosk', 'telehealth', 'correction'))`);
  }
}
