import { Module } from '@nestjs/common';
import { PlatformModule } from '@iop/platform';
import { followUpAppendOnlyTables, followUpControllers, followUpHandlers, followUpMigrations, followUpProviders } from './follow-up.parts';

@Module({
  imports: [
    PlatformModule.forService({
      service: 'aftercare',
      siteDirectory: true,
      migrations: [...followUpMigrations],
      appendOnlyTables: [...followUpAppendOnlyTables],
      handlers: [...followUpHandlers],
    }),
  ],
  controllers: [...followUpControllers],
  providers: [...followUpProviders],
})
export class AftercareModule {}
