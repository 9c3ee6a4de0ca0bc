import { Module } from '@nestjs/common';
import { MobilityController } from './mobility.controller';
import { MobilityRepository } from './mobility.repository';
import { MobilityService } from './mobility.service';

@Module({
  controllers: [MobilityController],
  providers: [MobilityService, MobilityRepository],
})
export class MobilityModule {}
