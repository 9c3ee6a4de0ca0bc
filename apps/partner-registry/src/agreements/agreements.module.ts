import { Module } from '@nestjs/common';
import { AgreementsRepository } from './agreements.repository';
import { AgreementsService } from './agreements.service';

/** Agreements with partners. No routes of its own yet: partners' detail shows them. */
@Module({
  providers: [AgreementsService, AgreementsRepository],
  // PartnersService lists a partner's agreements in its detail.
  exports: [AgreementsService],
})
export class AgreementsModule {}
