import { Module } from '@nestjs/common';
import { PartnersController } from './partners.controller';
import { PartnerRepository } from './partners.repository';
import { PartnersService } from './partners.service';

@Module({
  controllers: [PartnersController],
  providers: [PartnersService, PartnerRepository],
})
export class PartnersModule {}
