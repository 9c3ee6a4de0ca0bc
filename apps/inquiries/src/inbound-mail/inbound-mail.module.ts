import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module';
import { InquiriesModule } from '../inquiries/inquiries.module';
import { InboundMailController } from './inbound-mail.controller';
import { InboundMailListener } from './inbound-mail.listener';
import { InboundMailRepository } from './inbound-mail.repository';
import { InboundMailService } from './inbound-mail.service';

/** Replies by mail: the SMTP listener, threading, and the review list of unmatched mail. */
@Module({
  imports: [InquiriesModule, AttachmentsModule],
  controllers: [InboundMailController],
  providers: [InboundMailService, InboundMailRepository, InboundMailListener],
  exports: [InboundMailListener],
})
export class InboundMailModule {}
