import { randomUUID } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Optional,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { PinoLogger } from 'nestjs-pino';
import { AppError } from '../app-error';
import type { BaseConfig } from '../config/config';
import { throttled } from '../logging/throttled';
import { APP_CONFIG, REDIS } from '../tokens';
import { policyOf } from './auth.guard';

const WINDOW_MS = 60_000;

/** The limiter's clock (milliseconds since the epoch); tests inject a fixed one. */
export const RATE_LIMIT_CLOCK = Symbol('RATE_LIMIT_CLOCK');
export type RateLimitClock = () => number;

/**
 * A sliding-window log, in one atomic step: forget the hits older than the window, then admit
 * this one only while fewer than `limit` remain. At most `limit` hits are admitted in ANY
 * window-long span (a fixed window let 2 × limit through around its edge); refused hits are
 * not recorded, so a client that keeps trying is still admitted `limit` times a window.
 *
 * KEYS[1] the sorted set (score = hit time in ms); ARGV: now (ms), window (ms), limit, a
 * unique member. Returns { 1, 0 } when admitted, { 0, ms until the oldest hit leaves } when not.
 */
const SLIDING_WINDOW_LUA = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  return { 1, 0 }
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { 0, tonumber(oldest[2]) + window - now }
`;

type SlidingWindowCommand = (
  key: string,
  now: number,
  windowMs: number,
  limit: number,
  member: string,
) => Promise<[number, number]>;

/**
 * Limits each client address on each public route to N requests in any minute (a sliding
 * window in Redis, so the limit holds across every replica). HEAD is counted as the GET it
 * mirrors. While Redis is away it lets requests through and logs it: the public inquiry form
 * must keep working.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  /** Redis is away: said once a minute at most, however many requests find it so. */
  private readonly warnUnreachable = throttled((error: unknown) =>
    this.logger.warn({ err: error }, 'rate limiter cannot reach Redis; letting requests through'),
  );
  private readonly hit: SlidingWindowCommand;

  constructor(
    private readonly reflector: Reflector,
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    private readonly logger: PinoLogger,
    @Optional() @Inject(RATE_LIMIT_CLOCK) private readonly clock: RateLimitClock = Date.now,
  ) {
    logger.setContext(RateLimitGuard.name);
    // ioredis runs it by EVALSHA, loading the script again after a Redis restart (NOSCRIPT).
    redis.defineCommand('spSlidingWindowHit', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
    const command = (redis as unknown as Record<string, SlidingWindowCommand>)[
      'spSlidingWindowHit'
    ];
    if (!command) throw new Error('ioredis did not define the rate-limit command');
    this.hit = command.bind(redis);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = policyOf(this.reflector, context);
    if (!policy?.public || policy.rateLimit === false) return true;
    const limit = policy.rateLimit?.perMinute ?? this.config.RATE_LIMIT_PUBLIC_PER_MINUTE;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = request.routeOptions.url ?? request.url;
    // Fastify answers HEAD from the GET handler: one resource, one budget.
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const key = `${this.config.REDIS_KEY_PREFIX}ratelimit:${method}:${route}:${request.ip}`;
    const now = this.clock();

    let admitted: boolean;
    let waitMs: number;
    try {
      [admitted, waitMs] = await this.hit(key, now, WINDOW_MS, limit, randomUUID()).then(
        ([ok, wait]) => [ok === 1, Number(wait)] as const,
      );
    } catch (error) {
      this.warnUnreachable(error);
      return true;
    }
    if (admitted) return true;
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    throw new AppError(
      'too-many-requests',
      `more than ${limit} requests a minute to this route from one address; try again in ${retryAfter} s`,
      { headers: { 'retry-after': String(retryAfter) } },
    );
  }
}
