import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitFor } from './wait';

export type ServiceProcess = {
  child: ChildProcess;
  /** Base URL once it listens, e.g. `http://127.0.0.1:40123`. */
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Whether the process is still running. */
  alive: () => boolean;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exit: Promise<number | string | null>;
  /** SIGTERM, then SIGKILL if it has not ended within `ms`. */
  stop: (ms?: number) => Promise<void>;
};

/**
 * Runs a built service (`apps/<name>/dist/main.js`) in a process of its own, as `npm start`
 * does, and waits for its "listening on" line. For tests that must see a process survive
 * (or not) what happens to it.
 */
export async function startServiceProcess(
  main: string,
  env: Record<string, string>,
  { timeoutMs = 20_000 }: { timeoutMs?: number } = {},
): Promise<ServiceProcess> {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let running = true;
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal);
    }),
  );
  const listening = /listening on (http:\/\/[\d.]+:\d+)/;
  try {
    await waitFor(() => listening.test(out) || !running, `${main} listening`, {
      timeoutMs,
      intervalMs: 25,
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const url = listening.exec(out)?.[1];
  if (!url) throw new Error(`${main} exited before listening:\n${err || out}`);
  return {
    child,
    url,
    stdout: () => out,
    stderr: () => err,
    alive: () => running,
    exit,
    stop: async (ms = 10_000) => {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      await exit;
      clearTimeout(timer);
    },
  };
}
