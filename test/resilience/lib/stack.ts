import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type ServiceProcess, startServiceProcess, TEST_DEV_KEY_FILE } from '@sp/testing';

export const serviceApps = ['partner-registry', 'symposium', 'inquiries'] as const;
export type AppName = (typeof serviceApps)[number] | 'worker';

/** A built app's entry point (`npm run build` first; the suite's wiring builds). */
export const appMain = (app: AppName): string =>
  join(__dirname, '..', '..', '..', 'apps', app, 'dist', 'main.js');

/**
 * The settings every process of a fault test shares: its database and Redis, a key prefix of
 * the file's own, the test signing key, JSON logs, and a public rate limit
 * the steady load cannot reach (the limiter is not under test here; it still runs).
 */
export function stackEnv(
  databaseUrl: string,
  redisUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const prefix = `sp-fault:${process.pid}:${randomBytes(3).toString('hex')}:`;
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    BULLMQ_PREFIX: `${prefix}bull`,
    AUTH_DEV_KEY_FILE: TEST_DEV_KEY_FILE,
    // Info: the processes say where they listen at that level.
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000',
    ...extra,
  };
}

/** Processes of one test, by app, started as `npm start` runs them (built dist, Node 24). */
export class Stack {
  readonly processes = new Map<string, ServiceProcess>();

  constructor(readonly env: Record<string, string>) {}

  /** Starts `app` under `name` (default: the app's name) with the stack's env and `extra`. */
  async start(app: AppName, extra: Record<string, string> = {}, name: string = app) {
    const started = await startServiceProcess(
      appMain(app),
      { ...this.env, ...extra },
      {
        // Generous: four Nest apps starting at once on a shared 2-core machine take a while.
        timeoutMs: 180_000,
      },
    );
    this.processes.set(name, started);
    return started;
  }

  get(name: string): ServiceProcess {
    const found = this.processes.get(name);
    if (!found) throw new Error(`${name} is not running`);
    return found;
  }

  url(name: string): string {
    return this.get(name).url;
  }

  /**
   * The last warnings and errors (pino level 40 and above) each process wrote, at most `count`
   * lines each: what a failed wait quotes, so a CI log says where a message got stuck.
   */
  problems(count = 8): string {
    const quoted = [...this.processes].flatMap(([name, process]) => {
      const lines = `${process.stdout()}\n${process.stderr()}`
        .split('\n')
        .filter((line) => /"level":(?:40|50|60)\b/.test(line))
        .slice(-count);
      return lines.length === 0
        ? []
        : [`${name}:`, ...lines.map((line) => `  ${line.slice(0, 600)}`)];
    });
    return quoted.length === 0 ? 'no warnings or errors logged' : quoted.join('\n');
  }

  /** Names of the processes that are no longer running (none should be, unless killed). */
  dead(): string[] {
    return [...this.processes].filter(([, p]) => !p.alive()).map(([name]) => name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.stop()));
  }
}
