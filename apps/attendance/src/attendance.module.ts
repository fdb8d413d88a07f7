import { Module } from '@nestjs/common';
import { PlatformModule } from '@iop/platform';
import { AttendanceController } from './api/attendance.controller';
import { AttendanceQueries } from './application/attendance-queries';
import { RecordAttendance } from './application/recording.use-cases';
import { rosterReadModelHandlers } from './application/roster-read-model';
import { TelehealthEvents } from './application/telehealth';
import { Attendance1763800020000 } from './infrastructure/migrations/1763800020000-attendance';
import { CancellationRecords1763800022000 } from './infrastructure/migrations/1763800022000-cancellation-records';
import { PayerPerDiem1763800022100 } from './infrastructure/migrations/1763800022100-payer-per-diem';
import { payerHandlers } from './application/payers';
import { analyticsPseudonymiser } from './application/analytics-stream';

@Module({
  imports: [
    PlatformModule.forService({
      service: 'attendance',
      siteDirectory: true,
      migrations: [Attendance1763800020000, CancellationRecords1763800022000, PayerPerDiem1763800022100],
      // A correction adds a version; the first record and every later one stay as they were recorded.
      appendOnlyTables: ['attendance_record_versions'],
      handlers: [...rosterReadModelHandlers, ...payerHandlers],
    }),
  ],
  controllers: [AttendanceController],
  providers: [
    RecordAttendance,
    AttendanceQueries,
    TelehealthEvents,
    // Built at start: without a usable pseudonymisation key (ANALYTICS_PSEUDONYM_KEYS, 32+ bytes in production) the service does not start.
    { provide: 'ANALYTICS_PSEUDONYMISER', useFactory: analyticsPseudonymiser },
  ],
})
export class AttendanceModule {}
