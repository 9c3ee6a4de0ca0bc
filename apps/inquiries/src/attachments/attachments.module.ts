import { Module } from '@nestjs/common';
import { APP_CONFIG, FILE_STORE, LocalDiskFileStore } from '@sp/platform';
import type { InquiriesConfig } from '../config';
import { AttachmentsService } from './attachments.service';

@Module({
  providers: [
    {
      provide: FILE_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: InquiriesConfig) => new LocalDiskFileStore(config.STORAGE_DIR),
    },
    AttachmentsService,
  ],
  exports: [AttachmentsService],
})
export class AttachmentsModule {}
