import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { RegistrationsController } from './registrations.controller';
import { RegistrationsRepository } from './registrations.repository';
import { RegistrationsService } from './registrations.service';

@Module({
  controllers: [RegistrationsController],
  providers: [RegistrationsService, RegistrationsRepository, Clock],
  exports: [RegistrationsService],
})
export class RegistrationsModule {}
