import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis } from 'ioredis';

export type RedisRole =
  /** Request paths: fail fast while Redis is away (the outbox keeps what must be sent). */
  | 'producer'
  /** BullMQ workers: block and retry forever, as BullMQ requires. */
  | 'worker';

export type RedisEvents = { onError?: (error: Error) => void };

/**
 * How long a producer waits for Redis to answer one command. A Redis that is down refuses at
 * once (no offline queue), but one that hangs or sits behind a partition keeps the connection
 * open and never answers: without this, every request that touches Redis (the public routes'
 * rate limiter, a metrics scrape) would wait until it came back.
 */
export const PRODUCER_COMMAND_TIMEOUT_MS = 2_000;

/**
 * A Redis connection that keeps reconnecting (every ≤ 2 s) and never crashes the process on
 * a connection error; what a call does while Redis is away depends on the role.
 */
export function createRedis(url: string, role: RedisRole, events: RedisEvents = {}): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...(role === 'producer'
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
        }
      : { enableOfflineQueue: true, maxRetriesPerRequest: null }),
  });
  redis.on('error', (error: Error) => events.onError?.(error));
  return redis;
}

/** Closes a connection whatever its state (quit when connected, disconnect otherwise). */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}

/**
 * Connection options for BullMQ to open (and close) connections of its own. A Worker given a
 * ready-made client duplicates it for blocking and can hang on close; given options, it owns
 * its connections from start to end.
 */
export function redisOptions(url: string): BullRedisOptions {
  return {
    url,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  };
}
