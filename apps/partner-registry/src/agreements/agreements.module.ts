import { Module } from '@nestjs/common';
import { TokyoClock } from '../common/tokyo.clock';
import { AgreementsController } from './agreements.controller';
import { AgreementsRepository } from './agreements.repository';
import { AgreementsService } from './agreements.service';

/** Agreements with partners: their routes, and the reminders before one expires. */
@Module({
  controllers: [AgreementsController],
  providers: [AgreementsService, AgreementsRepository, TokyoClock],
  // PartnersService lists a partner's agreements in its detail; the daily job sends the
  // reminders through the service, on the clock a test can set.
  exports: [AgreementsService, TokyoClock],
})
export class AgreementsModule {}
