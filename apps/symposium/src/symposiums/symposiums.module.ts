import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { SymposiumsController } from './symposiums.controller';
import { SymposiumsRepository } from './symposiums.repository';
import { SymposiumsService } from './symposiums.service';

@Module({
  imports: [DocumentsModule],
  controllers: [SymposiumsController],
  providers: [SymposiumsService, SymposiumsRepository],
  exports: [SymposiumsService],
})
export class SymposiumsModule {}
