import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { seed } from '@sp/db';
import {
  type AppDescription,
  type BaseConfig,
  baseConfigSchema,
  createApp,
  type PlatformOptions,
} from '@sp/platform';
import { TEST_DEV_KEY_FILE } from './auth';
import { createTestDatabase, type TestDatabase } from './database';
import { SmtpSink } from './smtp';

export type LogLine = Record<string, unknown> & {
  msg?: string;
  requestId?: string;
  level?: number;
};

/** Collects an app's JSON log lines so tests can read what it logged. */
export class LogSink extends Writable {
  readonly lines: LogLine[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) this.lines.push(JSON.parse(line) as LogLine);
    }
    done();
  }
}

const filePrefix = `sp-test:${process.pid}:${randomBytes(3).toString('hex')}:`;

/** Deletes every Redis key this test file wrote (rate-limit counters, BullMQ queues). */
export async function dropRedisKeys(url = 'redis://127.0.0.1:6379'): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${filePrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  } finally {
    redis.disconnect();
  }
}

/** The platform config for a test: given values over the defaults, port 0, logs at debug. */
/** `overrides` may name a service's own settings too (they pass through to its schema). */
export function testConfig(
  overrides: Partial<Record<keyof BaseConfig, string>> & Record<string, string | undefined> = {},
): BaseConfig {
  // Loose: keys a service adds to the platform's (SMTP_URL for the worker) pass through to it.
  return baseConfigSchema.loose().parse({
    PORT: '0',
    LOG_LEVEL: 'debug',
    NODE_ENV: 'test',
    AUTH_DEV_KEY_FILE: TEST_DEV_KEY_FILE,
    // Each test file its own Redis keys, so files running in parallel never share a count.
    REDIS_KEY_PREFIX: filePrefix,
    BULLMQ_PREFIX: `${filePrefix}bull`,
    ...overrides,
  });
}

export type RunningApp = {
  app: NestFastifyApplication;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  logs: LogSink;
  close: () => Promise<void>;
};

/** Starts a service for real on a free port of 127.0.0.1, as `main` would. */
export async function startApp(
  module: (options: Omit<PlatformOptions, 'service'>) => DynamicModule,
  config: BaseConfig,
  description: AppDescription = { title: 'test', description: 'test' },
): Promise<RunningApp> {
  const logs = new LogSink();
  const app = await createApp(module({ config, logDestination: logs }), config, description);
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string')
    throw new Error('app is not listening on a TCP port');
  return { app, url: `http://127.0.0.1:${address.port}`, logs, close: () => app.close() };
}

export type TestApp = {
  /** The test file's own database (a Kysely handle at `.db` for fixtures and assertions). */
  readonly database: TestDatabase;
  readonly running: RunningApp;
};

/**
 * The usual e2e setup in one line: before the file's tests, a fresh database (seeded with
 * the demo data if asked) and the service running against it; after them, both gone.
 * Read `database` and `running` inside tests, not at module level (they exist from beforeAll).
 */
export function useTestApp(
  module: (options: Omit<PlatformOptions, 'service'>) => DynamicModule,
  description: AppDescription,
  options: { seed?: boolean; env?: Partial<Record<keyof BaseConfig, string>> } = {},
): TestApp {
  let database: TestDatabase | undefined;
  let running: RunningApp | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    if (options.seed) await seed(database.db);
    running = await startApp(
      module,
      testConfig({ DATABASE_URL: database.url, ...options.env }),
      description,
    );
  });
  afterAll(async () => {
    await running?.close();
    await database?.drop();
    await dropRedisKeys();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`${what} is not set up yet: use it inside a test or hook`);
    return value;
  };
  return {
    get database() {
      return ready(database, 'the test database');
    },
    get running() {
      return ready(running, 'the app');
    },
  };
}

/**
 * `useTestApp` for an app that sends mail: a real SMTP server for the file (`sink`), the app's
 * `SMTP_URL` pointing at it, and the server closed after the app (Jest runs afterAll hooks in
 * declaration order; the app's pooled SMTP connections must be gone first).
 */
export function useTestAppWithSmtp(
  module: (options: Omit<PlatformOptions, 'service'>) => DynamicModule,
  description: AppDescription,
  options: { seed?: boolean; env?: Partial<Record<keyof BaseConfig, string>> } = {},
): TestApp & { readonly sink: SmtpSink } {
  let sink: SmtpSink | undefined;
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  const app = useTestApp(module, description, {
    ...options,
    env: {
      ...options.env,
      // Read when the app starts, after the sink has.
      get SMTP_URL() {
        if (!sink) throw new Error('the SMTP sink is not started yet');
        return sink.url;
      },
    },
  });
  afterAll(async () => {
    await sink?.close();
  });
  return {
    get database() {
      return app.database;
    },
    get running() {
      return app.running;
    },
    get sink() {
      if (!sink) throw new Error('the SMTP sink is not started yet: use it inside a test or hook');
      return sink;
    },
  };
}
