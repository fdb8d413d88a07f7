import { Module } from '@nestjs/common';
import { PlatformModule } from '@iop/platform';

@Module({
  imports: [PlatformModule.forService({ service: 'attendance', siteDirectory: true })],
})
export class AttendanceModule {}
