import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { type AuditedSchema, createDb, type DB } from '@sp/db';
import { AUDIT_SCHEMA, AuditLog } from './audit/audit-log';
import { AuditController } from './audit/audit.controller';
import { closeRedis, createRedis } from '@sp/queue';
import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import pino, { type DestinationStream } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import { AuthGuard } from './auth/auth.guard';
import { RATE_LIMIT_CLOCK, type RateLimitClock, RateLimitGuard } from './auth/rate-limit.guard';
import {
  PARTNER_ACCESS,
  PARTNER_KEYS,
  type PartnerAccessCheck,
  type PartnerKeySource,
  RemoteJwksSource,
  TokenVerifier,
} from './auth/token-verifier';
import type { BaseConfig } from './config/config';
import { type HealthCheck, HealthController } from './http/health';
import { createMetricsRegistry, MetricsController } from './http/metrics';
import { ProblemFilter } from './http/problem.filter';
import { type LogOutput, logOutput } from './logging/log-output';
import { requestIdMixin } from './logging/request-log';
import { throttled } from './logging/throttled';
import {
  APP_CONFIG,
  HEALTH_CHECKS,
  KYSELY,
  METRICS_REGISTRY,
  REDIS,
  REQUEST_LOGGER,
  SERVICE_NAME,
} from './tokens';
import { ZodValidationPipe } from './http/zod-validation.pipe';

export type PlatformOptions = {
  /** Names the service in logs, metrics and the OpenAPI document. */
  service: string;
  config: BaseConfig;
  /** Whether the service is ready only while Redis answers (the worker); HTTP services are not. */
  redisRequired?: boolean;
  /** Where logs go; stdout by default. Tests pass a stream to read them. */
  logDestination?: DestinationStream;
  /**
   * Where partner-token verification keys come from: the registry's published JWKS by default;
   * the registry itself, which signs them, passes its key store.
   */
  partnerKeys?: Type<PartnerKeySource>;
  /** Checks a partner token's client and partner still have access, on every request (none: off). */
  partnerAccess?: Type<PartnerAccessCheck>;
  /** The service's schema, whose audit log it writes and serves at `GET /audit`. */
  auditSchema?: AuditedSchema;
  /** The rate limiter's clock (ms since the epoch); tests drive it across a window. */
  rateLimitClock?: RateLimitClock;
};

/** Closes the pools after the HTTP server has stopped and in-flight requests have finished. */
@Injectable()
class ConnectionCloser implements OnApplicationShutdown {
  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.db.destroy(), closeRedis(this.redis)]);
  }
}

const LOG_OUTPUT = Symbol('LOG_OUTPUT');

/**
 * When the app starts to close (before the HTTP server stops), the request lines waiting are
 * written, and those of the requests still in flight are written as each ends: none is left
 * for an exit handler, which a second SIGTERM would skip.
 */
@Injectable()
class LogOutputCloser implements BeforeApplicationShutdown {
  constructor(@Inject(LOG_OUTPUT) private readonly output: LogOutput) {}

  beforeApplicationShutdown(): void {
    this.output.close();
  }
}

/**
 * What every service mounts: config, logging with request ids, Postgres and Redis clients,
 * problem+json errors, zod validation, health and metrics.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { service, config } = options;
    const pinoOptions: PinoHttpOptions = {
      level: config.LOG_LEVEL,
      base: { service },
      mixin: requestIdMixin,
      // pino's own serializers: pino-http would wrap them in ones that expect raw requests.
      wrapSerializers: false,
    };
    // Every line but the request lines goes through the root logger; the request lines through
    // a logger of their own, which needs no mixin (the line carries its request's id) and may
    // batch its writes (`logOutput`).
    const output = logOutput(config, options.logDestination);
    const requestLogger = pino({ level: config.LOG_LEVEL, base: { service } }, output.requestLines);
    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          // nestjs-pino builds the root logger from these (through pino-http, whose own options
          // are left out), and PinoLogger writes through it.
          pinoHttp: [pinoOptions, output.lines],
          // No routes: nestjs-pino's request middleware is not mounted. Requests are logged by
          // Fastify hooks (`logRequests`, in bootstrap), which cost a fraction of it.
          forRoutes: [],
        }),
      ],
      controllers: [
        HealthController,
        MetricsController,
        ...(options.auditSchema ? [AuditController] : []),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: SERVICE_NAME, useValue: service },
        { provide: REQUEST_LOGGER, useValue: requestLogger },
        { provide: LOG_OUTPUT, useValue: output },
        LogOutputCloser,
        {
          provide: KYSELY,
          inject: [PinoLogger],
          useFactory: (logger: PinoLogger) =>
            createDb(config.DATABASE_URL, {
              max: config.DATABASE_POOL_MAX,
              applicationName: service,
              statementTimeoutMillis: config.DATABASE_STATEMENT_TIMEOUT_MS,
              onConnectionError: (error) =>
                logger.warn({ err: error }, 'a database connection failed; it will be replaced'),
            }),
        },
        {
          provide: REDIS,
          inject: [PinoLogger],
          useFactory: (logger: PinoLogger) =>
            createRedis(config.REDIS_URL, options.redisRequired ? 'worker' : 'producer', {
              // A down Redis reports an error per reconnect attempt: log one a minute at most.
              onError: throttled((error: Error) =>
                logger.warn({ err: error }, 'redis unreachable; retrying'),
              ),
            }),
        },
        {
          provide: HEALTH_CHECKS,
          inject: [KYSELY, REDIS],
          useFactory: (db: Kysely<DB>, redis: Redis): HealthCheck[] => [
            { name: 'postgres', required: true, check: () => sql`select 1`.execute(db) },
            { name: 'redis', required: options.redisRequired ?? false, check: () => redis.ping() },
          ],
        },
        {
          provide: METRICS_REGISTRY,
          inject: [HEALTH_CHECKS],
          useFactory: (checks: HealthCheck[]) => createMetricsRegistry(service, checks),
        },
        ...(options.auditSchema
          ? [{ provide: AUDIT_SCHEMA, useValue: options.auditSchema }, AuditLog]
          : []),
        { provide: PARTNER_KEYS, useClass: options.partnerKeys ?? RemoteJwksSource },
        ...(options.partnerAccess
          ? [{ provide: PARTNER_ACCESS, useClass: options.partnerAccess }]
          : []),
        TokenVerifier,
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        // Guards run in this order: who is calling, then how often.
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        ...(options.rateLimitClock
          ? [{ provide: RATE_LIMIT_CLOCK, useValue: options.rateLimitClock }]
          : []),
        ConnectionCloser,
      ],
      exports: [
        APP_CONFIG,
        SERVICE_NAME,
        KYSELY,
        REDIS,
        METRICS_REGISTRY,
        HEALTH_CHECKS,
        TokenVerifier,
        PARTNER_KEYS,
        ...(options.partnerAccess ? [PARTNER_ACCESS] : []),
        ...(options.auditSchema ? [AuditLog] : []),
      ],
    };
  }
}
