import { Module } from '@nestjs/common';
import { CannedResponsesController } from './canned-responses.controller';
import { CannedResponsesRepository } from './canned-responses.repository';
import { CannedResponsesService } from './canned-responses.service';

@Module({
  controllers: [CannedResponsesController],
  providers: [CannedResponsesService, CannedResponsesRepository],
  // Replies take a canned response's text in the inquirer's language.
  exports: [CannedResponsesService],
})
export class CannedResponsesModule {}
