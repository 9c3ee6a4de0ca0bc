import multipart from '@fastify/multipart';
import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, FILE_STORE, LocalDiskFileStore } from '@sp/platform';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config';
import { DocumentsController } from './documents.controller';
import { DocumentsRepository } from './documents.repository';
import { DocumentsService } from './documents.service';

@Module({
  controllers: [DocumentsController],
  providers: [
    DocumentsService,
    DocumentsRepository,
    {
      provide: FILE_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new LocalDiskFileStore(config.STORAGE_DIR),
    },
  ],
  exports: [DocumentsService],
})
export class DocumentsModule implements OnApplicationBootstrap {
  constructor(private readonly adapter: HttpAdapterHost) {}

  /** Multipart bodies (document uploads): parsed only where a route reads them. */
  // At bootstrap, not at module init: awaiting a plugin makes Fastify build the routes
  // registered so far, and a route keeps the error handler of when it was built. Nest sets
  // its own (the problem filter) after module init, so routes built earlier answered body
  // errors (415, 413, bad JSON) with Fastify's plain JSON instead of problem+json.
  async onApplicationBootstrap(): Promise<void> {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    await fastify.register(multipart, { throwFileSizeLimit: true });
  }
}
