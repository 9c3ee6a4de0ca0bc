import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { AppError } from '../app-error';
import type { BaseConfig } from '../config';
import { APP_CONFIG, REDIS } from '../tokens';
import { policyOf } from './auth.guard';

const WINDOW_SECONDS = 60;

/**
 * Limits each client address on each public route to N requests a minute (fixed windows in
 * Redis, so the limit holds across every replica). While Redis is away it lets requests
 * through and logs it: the public inquiry form must keep working.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private lastWarned = 0;

  constructor(
    private readonly reflector: Reflector,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(RateLimitGuard.name);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = policyOf(this.reflector, context);
    if (!policy?.public || policy.rateLimit === false) return true;
    const limit = policy.rateLimit?.perMinute ?? this.config.RATE_LIMIT_PUBLIC_PER_MINUTE;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = request.routeOptions.url ?? request.url;
    const now = Date.now() / 1000;
    const window = Math.floor(now / WINDOW_SECONDS);
    const key = `${this.config.REDIS_KEY_PREFIX}ratelimit:${request.method}:${route}:${request.ip}:${window}`;

    let count: number;
    try {
      const results = await this.redis
        .multi()
        .incr(key)
        .expire(key, WINDOW_SECONDS + 1)
        .exec();
      count = Number(results?.[0]?.[1]);
    } catch (error) {
      if (Date.now() - this.lastWarned > 60_000) {
        this.lastWarned = Date.now();
        this.logger.warn(
          { err: error },
          'rate limiter cannot reach Redis; letting requests through',
        );
      }
      return true;
    }
    if (count <= limit) return true;
    const retryAfter = Math.max(1, Math.ceil((window + 1) * WINDOW_SECONDS - now));
    throw new AppError(
      'too-many-requests',
      `more than ${limit} requests a minute to this route from one address; try again in ${retryAfter} s`,
      { headers: { 'retry-after': String(retryAfter) } },
    );
  }
}
