import { Module } from '@nestjs/common';
import { ActivitiesController } from './activities.controller';
import { ActivitiesRepository } from './activities.repository';
import { ActivitiesService } from './activities.service';

@Module({
  controllers: [ActivitiesController],
  providers: [ActivitiesService, ActivitiesRepository],
  // The public "Recent Activities" and funding's linked activity read through the service.
  exports: [ActivitiesService],
})
export class ActivitiesModule {}
