import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AgreementsController } from './agreements.controller';
import { AgreementsRepository } from './agreements.repository';
import { AgreementsService } from './agreements.service';

/** Agreements with partners: their routes, and the reminders before one expires. */
@Module({
  controllers: [AgreementsController],
  providers: [AgreementsService, AgreementsRepository, Clock],
  // PartnersService lists a partner's agreements in its detail; the daily job sends the
  // reminders through the service, on the Clock a test can set.
  exports: [AgreementsService, Clock],
})
export class AgreementsModule {}
