import { Module } from '@nestjs/common';
import { CLOCK, systemClock } from '../common/clock';
import { SlaRepository } from './sla.repository';
import { SlaService } from './sla.service';

@Module({
  providers: [SlaService, SlaRepository, { provide: CLOCK, useValue: systemClock }],
  exports: [SlaService],
})
export class SlaModule {}
