import { Module } from '@nestjs/common';
import { SymposiumsController } from './symposiums.controller';
import { SymposiumRepository } from './symposiums.repository';
import { SymposiumsService } from './symposiums.service';

@Module({
  controllers: [SymposiumsController],
  providers: [SymposiumsService, SymposiumRepository],
})
export class SymposiumsModule {}
