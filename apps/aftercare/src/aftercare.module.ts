import { Module } from '@nestjs/common';
import { PlatformModule } from '@iop/platform';
import { DISCHARGE_APPEND_ONLY_TABLES, DISCHARGE_CONTROLLERS, DISCHARGE_MIGRATIONS, DISCHARGE_PROVIDERS, dischargeHandlers } from './discharge.wiring';
import { followUpAppendOnlyTables, followUpControllers, followUpHandlers, followUpMigrations, followUpProviders } from './follow-up.parts';

/** Aftercare: the discharge that ends an episode (discharge.wiring.ts), then follow-ups, plans, outcomes and measures (follow-up.parts.ts). */
@Module({
  imports: [
    PlatformModule.forService({
      service: 'aftercare',
      siteDirectory: true,
      migrations: [...DISCHARGE_MIGRATIONS, ...followUpMigrations],
      appendOnlyTables: [...DISCHARGE_APPEND_ONLY_TABLES, ...followUpAppendOnlyTables],
      handlers: [...dischargeHandlers, ...followUpHandlers],
    }),
  ],
  controllers: [...DISCHARGE_CONTROLLERS, ...followUpControllers],
  providers: [...DISCHARGE_PROVIDERS, ...followUpProviders],
})
export class AftercareModule {}
