import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { AttachmentsModule } from '../attachments/attachments.module';
import { SlaModule } from '../sla/sla.module';
import { InquiriesController } from './inquiries.controller';
import { InquiriesRepository } from './inquiries.repository';
import { InquiriesService } from './inquiries.service';

@Module({
  // New inquiries get their SLA due times in the creating transaction.
  imports: [AttachmentsModule, SlaModule],
  controllers: [InquiriesController],
  providers: [InquiriesService, InquiriesRepository],
  exports: [InquiriesService],
})
export class InquiriesModule implements OnModuleInit {
  constructor(private readonly adapter: HttpAdapterHost) {}

  /** Multipart bodies (form uploads): parsed only where a route reads them, limits per read. */
  async onModuleInit(): Promise<void> {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    await fastify.register(multipart, { throwFileSizeLimit: true });
  }
}
