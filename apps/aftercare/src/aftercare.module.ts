import { Module } from '@nestjs/common';
import { PlatformModule } from '@iop/platform';
import { DISCHARGE_APPEND_ONLY_TABLES, DISCHARGE_CONTROLLERS, DISCHARGE_MIGRATIONS, DISCHARGE_PROVIDERS, dischargeHandlers } from './discharge.wiring';

@Module({
  imports: [
    PlatformModule.forService({
      service: 'aftercare',
      siteDirectory: true,
      migrations: [...DISCHARGE_MIGRATIONS],
      appendOnlyTables: [...DISCHARGE_APPEND_ONLY_TABLES],
      handlers: [...dischargeHandlers],
    }),
  ],
  controllers: [...DISCHARGE_CONTROLLERS],
  providers: [...DISCHARGE_PROVIDERS],
})
export class AftercareModule {}
