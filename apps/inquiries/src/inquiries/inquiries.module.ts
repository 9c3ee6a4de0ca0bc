import { Module, type OnApplicationBootstrap } from '@nestjs/common';
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
export class InquiriesModule implements OnApplicationBootstrap {
  constructor(private readonly adapter: HttpAdapterHost) {}

  /** Multipart bodies (form uploads): parsed only where a route reads them, limits per read. */
  // At bootstrap, not at module init: awaiting a plugin makes Fastify build the routes
  // registered so far, and a route keeps the error handler of when it was built. Nest sets
  // its own (the problem filter) after module init, so routes built earlier answered body
  // errors (415, 413, bad JSON) with Fastify's plain JSON instead of problem+json.
  async onApplicationBootstrap(): Promise<void> {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    await fastify.register(multipart, { throwFileSizeLimit: true });
  }
}
