import { Module } from '@nestjs/common';
import { PartnersModule } from '../partners/partners.module';
import { ExportsController } from './exports.controller';
import { ExportsService } from './exports.service';

@Module({
  // Each kind is read through its own module's service.
  imports: [PartnersModule],
  controllers: [ExportsController],
  providers: [ExportsService],
})
export class ExportsModule {}
