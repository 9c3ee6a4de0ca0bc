import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG } from '@sp/platform';
import { errorCodes, type FastifyInstance } from 'fastify';
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

  /**
   * A CSV body arrives as bytes, up to IMPORT_BODY_LIMIT, on the import route only: elsewhere
   * `text/csv` is a 415 before a byte is read (the parser is global, and a 32 MB body was read
   * on every route, anonymous ones included, before the guard refused it).
   */
  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    if (fastify.hasContentTypeParser('text/csv')) return;
    const limit = this.config.IMPORT_BODY_LIMIT;
    fastify.addContentTypeParser('text/csv', (request, payload, done) => {
      if (request.routeOptions.url !== IMPORT_ROUTE) {
        done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('text/csv'), undefined);
        return;
      }
      const declared = Number(request.headers['content-length']);
      if (declared > limit) {
        done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), undefined);
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      payload.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > limit) {
          payload.removeAllListeners('data');
          payload.resume();
          done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), undefined);
          return;
        }
        chunks.push(chunk);
      });
      payload.on('end', () => {
        if (received <= limit) done(null, Buffer.concat(chunks));
      });
      payload.on('error', (error) => done(error, undefined));
    });
  }
}

/** The one route that takes a CSV body (Fastify's pattern of `POST /imports/:kind`). */
const IMPORT_ROUTE = '/imports/:kind';
