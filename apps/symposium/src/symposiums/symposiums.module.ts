import { Module } from '@nestjs/common';
import { SymposiumsController } from './symposiums.controller';
import { SymposiumsRepository } from './symposiums.repository';
import { SymposiumsService } from './symposiums.service';

@Module({
  controllers: [SymposiumsController],
  providers: [SymposiumsService, SymposiumsRepository],
})
export class SymposiumsModule {}
