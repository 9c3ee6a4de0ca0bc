import { Module } from '@nestjs/common';
import { CannedResponsesModule } from '../canned-responses/canned-responses.module';
import { SlaModule } from '../sla/sla.module';
import { DeskController } from './desk.controller';
import { DeskRepository } from './desk.repository';
import { DeskService } from './desk.service';

@Module({
  // Due times and breaches come from the SLA module; replies may take a canned response.
  imports: [SlaModule, CannedResponsesModule],
  controllers: [DeskController],
  providers: [DeskService, DeskRepository],
})
export class DeskModule {}
