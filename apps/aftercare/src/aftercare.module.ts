import { Module } from '@nestjs/common';
import { PlatformModule } from '@iop/platform';

@Module({
  imports: [PlatformModule.forService({ service: 'aftercare', siteDirectory: true })],
})
export class AftercareModule {}
