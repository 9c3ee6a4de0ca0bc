import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AgreementsModule } from '../agreements/agreements.module';
import { PartnersController } from './partners.controller';
import { PartnersRepository } from './partners.repository';
import { PartnersService } from './partners.service';

@Module({
  // Ending a partnership revokes its API clients; a partner's detail lists its agreements.
  imports: [AccessModule, AgreementsModule],
  controllers: [PartnersController],
  providers: [PartnersService, PartnersRepository],
  // People (contacts) look their partner up through it, with the caller's partner binding;
  // the public programme page lists partners through it; imports create partners and exports
  // read them through it.
  exports: [PartnersService],
})
export class PartnersModule {}
