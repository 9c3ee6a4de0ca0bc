import { Module } from '@nestjs/common';
import { SymposiumsModule } from '../symposiums/symposiums.module';
import { ProgrammeController } from './programme.controller';
import { ProgrammeRepository } from './programme.repository';
import { ProgrammeService } from './programme.service';

@Module({
  imports: [SymposiumsModule],
  controllers: [ProgrammeController],
  providers: [ProgrammeService, ProgrammeRepository],
})
export class ProgrammeModule {}
