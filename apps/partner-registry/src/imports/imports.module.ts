import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG } from '@sp/platform';
import type { FastifyInstance } from 'fastify';
import type { RegistryConfig } from '../config';
import { ActivitiesModule } from '../activities/activities.module';
import { MobilityModule } from '../mobility/mobility.module';
import { PartnersModule } from '../partners/partners.module';
import { ImportsController } from './imports.controller';
import { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';

@Module({
  // Each kind is written by its own module's service.
  imports: [PartnersModule, ActivitiesModule, MobilityModule],
  controllers: [ImportsController],
  providers: [ImportsService, ImportsRepository],
})
export class ImportsModule implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /** A CSV body arrives as bytes, up to IMPORT_BODY_LIMIT (a JSON body keeps BODY_LIMIT). */
  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    if (fastify.hasContentTypeParser('text/csv')) return;
    fastify.addContentTypeParser(
      'text/csv',
      { parseAs: 'buffer', bodyLimit: this.config.IMPORT_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
  }
}
