import { Module } from '@nestjs/common';
import { PlatformModule } from '@iop/platform';
import { AttendanceController } from './api/attendance.controller';
import { GroupNotesController } from './api/group-notes.controller';
import { AttendanceQueries } from './application/attendance-queries';
import { RecordAttendance } from './application/recording.use-cases';
import { dischargeHandlers } from './application/discharges';
import { rosterReadModelHandlers } from './application/roster-read-model';
import { TelehealthEvents } from './application/telehealth';
import { Attendance1763800020000 } from './infrastructure/migrations/1763800020000-attendance';
import { Discharges1763800023000 } from './infrastructure/migrations/1763800023000-discharges';
import { CancellationRecords1763800022000 } from './infrastructure/migrations/1763800022000-cancellation-records';
import { PayerPerDiem1763800022100 } from './infrastructure/migrations/1763800022100-payer-per-diem';
import { payerHandlers } from './application/payers';
import { analyticsPseudonymiser } from './application/analytics-stream';
import { GroupDocumentation } from './application/group-documentation';
import { UndocumentedSessionsSweep } from './application/undocumented-sessions.job';
import { SiteWeeksJob } from './application/site-weeks.job';
import { SiteWeeksDirty1763800024100 } from './infrastructure/migrations/1763800024100-site-weeks-dirty';
import { GroupNotes1763800021000 } from './infrastructure/migrations/1763800021000-group-notes';

@Module({
  imports: [
    PlatformModule.forService({
      service: 'attendance',
      siteDirectory: true,
      migrations: [
        Attendance1763800020000,
        GroupNotes1763800021000,
        CancellationRecords1763800022000,
        PayerPerDiem1763800022100,
        Discharges1763800023000,
        SiteWeeksDirty1763800024100,
      ],
      // A correction adds a version; the first record and every later one stay as they were recorded.
      // Addenda to signed notes are the only way to add to them: never changed or removed.
      appendOnlyTables: ['attendance_record_versions', 'note_addenda'],
      handlers: [...rosterReadModelHandlers, ...dischargeHandlers, ...payerHandlers],
    }),
  ],
  controllers: [AttendanceController, GroupNotesController],
  providers: [
    RecordAttendance,
    AttendanceQueries,
    TelehealthEvents,
    GroupDocumentation,
    UndocumentedSessionsSweep,
    SiteWeeksJob,
    // Built at start: without a usable pseudonymisation key (ANALYTICS_PSEUDONYM_KEYS, 32+ bytes in production) the service does not start.
    { provide: 'ANALYTICS_PSEUDONYMISER', useFactory: analyticsPseudonymiser },
  ],
})
export class AttendanceModule {}
