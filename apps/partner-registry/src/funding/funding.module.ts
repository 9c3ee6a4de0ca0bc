import { Module } from '@nestjs/common';
import { ActivitiesModule } from '../activities/activities.module';
import { FundingController } from './funding.controller';
import { FundingRepository } from './funding.repository';
import { FundingService } from './funding.service';

@Module({
  // A funding record's linked activity must be the same partner's.
  imports: [ActivitiesModule],
  controllers: [FundingController],
  providers: [FundingService, FundingRepository],
  // Exports read funding through it.
  exports: [FundingService],
})
export class FundingModule {}
