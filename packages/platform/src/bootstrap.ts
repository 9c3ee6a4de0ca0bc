import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { Logger } from 'nestjs-pino';
import type { z } from 'zod';
import { type BaseConfig, ConfigError, loadConfig } from './config/config';
import { requestContext } from './auth/request-context';
import { clientErrorHandler, frameworkErrors, httpLimits } from './http/http-limits';
import { useSecurityHeaders } from './http/security-headers';
import { drainUnreadBody } from './http/unread-body';
import { instrumentHttp } from './http/metrics';
import { noStoreOnCapabilityRoutes } from './http/capability-routes';
import { logRequests } from './logging/request-log';
import { REQUEST_ID_HEADER, requestIdOf } from './http/request-id';
import { METRICS_REGISTRY, REQUEST_LOGGER } from './tokens';
import { applyPretenuring } from './runtime/pretenuring';
import { releaseStartupHeap } from './runtime/startup-heap';

export type AppDescription = {
  /** Title and summary of the OpenAPI document. */
  title: string;
  description: string;
};

/** Builds the Nest application on Fastify with the platform's plumbing, initialised but not listening. */
export async function createApp(
  module: DynamicModule,
  config: BaseConfig,
  description: AppDescription,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT,
    ...httpLimits(config),
    // What Node's parser and Fastify's router reject before Nest runs is a problem too.
    clientErrorHandler,
    frameworkErrors,
    // On close: drop idle keep-alive sockets at once, let in-flight requests finish.
    forceCloseConnections: 'idle',
    genReqId: requestIdOf,
    requestIdHeader: false,
    // Behind a load balancer the client address comes from X-Forwarded-For (rate limits use it).
    trustProxy: config.TRUST_PROXY_HOPS
      ? (_address: string, hop: number) => hop < config.TRUST_PROXY_HOPS
      : false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
  });
  try {
    await configure(app, description);
  } catch (error) {
    // Whatever went wrong, leave no pool or socket open behind.
    await app.close();
    throw error;
  }
  return app;
}

async function configure(app: NestFastifyApplication, description: AppDescription): Promise<void> {
  app.useLogger(app.get(Logger));
  app.flushLogs();

  // First, so its headers are on every response, errors included.
  useSecurityHeaders(app);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // The handler (and the guards before it) run inside a request context, so code anywhere
  // below can ask who is calling. Set here, after the body is read: stream events would
  // otherwise carry the socket's context instead.
  fastify.addHook('preHandler', (request, _reply, done) =>
    requestContext.run(() => done(), request.id),
  );
  // Shutting down: a response still in flight tells its client to close the connection, so
  // the server is not kept open by a keep-alive socket once that response is done.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    // An answer before the whole body was read (a refused upload): read the rest away, or
    // the connection's next request is stuck behind it.
    drainUnreadBody(request.raw);
    done(null, payload);
  });
  // A JSON API: a text/plain body is an unsupported media type (415), not a string to validate.
  fastify.removeContentTypeParser('text/plain');
  instrumentHttp(fastify, app.get(METRICS_REGISTRY));
  logRequests(fastify, app.get(REQUEST_LOGGER));
  noStoreOnCapabilityRoutes(fastify);

  // Initialised before Swagger's plugin adds its encapsulated context.
  await app.init();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setOpenAPIVersion('3.1.0')
      .setTitle(description.title)
      .setDescription(description.description)
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, cleanupOpenApiDoc(document, { version: '3.1' }), {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
  });
}

export type ServiceDefinition<C extends BaseConfig> = AppDescription & {
  service: string;
  configSchema: z.ZodType<C>;
  module: (config: C) => DynamicModule;
};

/**
 * A service's `main`: parse the environment (exit 1 naming each bad variable), start, listen,
 * and on SIGTERM/SIGINT stop taking requests, let in-flight ones finish, close pools and exit —
 * or exit anyway after SHUTDOWN_TIMEOUT_MS.
 */
export async function runService<C extends BaseConfig>(
  definition: ServiceDefinition<C>,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig(definition.configSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${definition.service}: ${error.message}\n`);
    process.exit(1);
  }
  // The app's `main` set it before its modules loaded (`@sp/platform/v8-flags`); set again from
  // the validated value, and for a caller that started without that import.
  applyPretenuring(config.V8_PRETENURING);
  const app = await createApp(definition.module(config), config, definition);
  // Before listening, so no request waits for the collection (see releaseStartupHeap).
  const released = releaseStartupHeap();
  await app.listen({ port: config.PORT, host: config.HOST });
  const logger = app.get(Logger);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.log(`${definition.service} listening on http://${config.HOST}:${port} (docs at /docs)`);
  if (released) {
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    logger.log(
      `start-up heap released: resident ${mb(released.rssBefore)} → ${mb(released.rssAfter)} MB, ` +
        `young generation ${mb(released.newSpaceBefore)} → ${mb(released.newSpaceAfter)} MB`,
    );
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: shutting down`);
    setTimeout(() => {
      process.stderr.write(
        `${definition.service}: shutdown took over ${config.SHUTDOWN_TIMEOUT_MS} ms; exiting\n`,
      );
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `${definition.service}: error while shutting down: ${String(error)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
