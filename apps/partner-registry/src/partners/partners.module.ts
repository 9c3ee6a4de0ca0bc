import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { PartnersController } from './partners.controller';
import { PartnerRepository } from './partners.repository';
import { PartnersService } from './partners.service';

@Module({
  imports: [AccessModule],
  controllers: [PartnersController],
  providers: [PartnersService, PartnerRepository],
})
export class PartnersModule {}
