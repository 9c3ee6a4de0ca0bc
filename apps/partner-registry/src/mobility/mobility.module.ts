import { Module } from '@nestjs/common';
import { MobilityController } from './mobility.controller';
import { MobilityRepository } from './mobility.repository';
import { MobilityService } from './mobility.service';

@Module({
  controllers: [MobilityController],
  providers: [MobilityService, MobilityRepository],
  // Imports and exports read and write reports through it.
  exports: [MobilityService],
})
export class MobilityModule {}
