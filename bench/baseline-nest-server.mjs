// The http-read benchmark's second baseline (BENCH_NEST_BASELINE=1): the same work as
// baseline-server.mjs (lib/partners-page.mjs), served through NestJS on its Fastify adapter, as
// the services are, and with nothing of the platform: no guards, pipes, exception filter,
// request context, request log, metrics, security headers or Kysely. One controller with one
// route, its response schema set as `@Responds` sets it, so the page goes through Fastify's
// compiled serializer. Between the plain Fastify baseline and the service it splits the gap in
// two: what the fixed stack's framework costs, and what the platform and the module add.
//
// Plain JavaScript, so the decorators are applied by hand: method decorators last to first, as
// TypeScript's compiled `__decorate` applies them; the parameter decorators after them (Nest
// merges their metadata by position, so their order does not matter to it).
//
// Environment: PORT, HOST, and those of lib/partners-page.mjs, like the service.

import './lib/v8-runtime.mjs';
import 'reflect-metadata';
import {
  BadRequestException,
  Controller,
  Get,
  Headers,
  Module,
  Query,
  UnauthorizedException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, RouteSchema } from '@nestjs/platform-fastify';
import { serveBaseline } from './lib/baseline-serve.mjs';
import { firstPage, isViewer, pageSchema, parseLimit, pool } from './lib/partners-page.mjs';

class PartnersController {
  async list(authorization, query) {
    if (!(await isViewer(authorization))) {
      throw new UnauthorizedException('a staff bearer token is needed');
    }
    const limit = parseLimit(query);
    if (limit === undefined) {
      throw new BadRequestException('the baseline serves only /partners?limit=1..200');
    }
    return firstPage(limit);
  }

  async ready() {
    await pool.query('select 1');
    return { status: 'ok' };
  }
}

/** `@decorator` on a method, as TypeScript compiles it. */
function decorateMethod(target, name, ...decorators) {
  let descriptor = Object.getOwnPropertyDescriptor(target.prototype, name);
  for (const decorator of decorators.reverse()) {
    descriptor = decorator(target.prototype, name, descriptor) ?? descriptor;
  }
  Object.defineProperty(target.prototype, name, descriptor);
}

decorateMethod(
  PartnersController,
  'list',
  Get('partners'),
  RouteSchema({ response: { 200: pageSchema } }),
);
Headers('authorization')(PartnersController.prototype, 'list', 0);
Query()(PartnersController.prototype, 'list', 1);
decorateMethod(PartnersController, 'ready', Get('health/ready'));
Controller()(PartnersController);

class AppModule {}
Module({ controllers: [PartnersController] })(AppModule);

const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
await app.init();

// serveBaseline's shutdown and listening, on Nest's application.
await serveBaseline(
  {
    close: () => app.close(),
    listen: ({ port, host }) => app.listen(port, host),
    get server() {
      return app.getHttpServer();
    },
  },
  pool,
);
