import { Module } from '@nestjs/common';
import { ActivitiesModule } from '../activities/activities.module';
import { FundingModule } from '../funding/funding.module';
import { MobilityModule } from '../mobility/mobility.module';
import { PartnersModule } from '../partners/partners.module';
import { ExportsController } from './exports.controller';
import { ExportsService } from './exports.service';

@Module({
  // Each kind is read through its own module's service.
  imports: [PartnersModule, ActivitiesModule, MobilityModule, FundingModule],
  controllers: [ExportsController],
  providers: [ExportsService],
})
export class ExportsModule {}
