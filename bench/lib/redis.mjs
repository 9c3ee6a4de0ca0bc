// Redis for benchmarks: the local server, and a key prefix per run whose keys are deleted
// however the run ends.

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { onCleanup } from './cleanup.mjs';
import { BenchFailure } from './common.mjs';

/** The Redis benchmarks use (the services' default). */
export const benchRedisUrl = () => process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';

/**
 * Checks that Redis answers, then returns a fresh prefix `sp-bench:<random>:` for every key
 * the run writes (give it, or prefixes starting with it, to REDIS_KEY_PREFIX and
 * BULLMQ_PREFIX) and registers the deletion of all keys under it with the cleanup stack.
 */
export async function createBenchKeyPrefix() {
  const url = benchRedisUrl();
  const redis = connect(url);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new BenchFailure(`Redis at ${url} does not answer (${error.message})`);
  } finally {
    redis.disconnect();
  }
  const prefix = `sp-bench:${randomBytes(4).toString('hex')}:`;
  onCleanup(`delete the Redis keys ${prefix}*`, () => deleteKeys(url, prefix));
  return prefix;
}

function connect(url) {
  return new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
}

async function deleteKeys(url, prefix) {
  const redis = connect(url);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
