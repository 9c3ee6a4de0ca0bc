import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase, waitFor } from '@sp/testing';

/** The service as `npm start` runs it: the built `main`, in its own process. */
const main = join(__dirname, '..', 'dist', 'main.js');

let database: TestDatabase;

beforeAll(async () => {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

type Run = {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
};

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  // 'close': the process has exited and its output has all been read.
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

it('refuses to start with a malformed DATABASE_URL, naming the variable and what it expected', async () => {
  const proc = run({ DATABASE_URL: 'mysql://somewhere/db', PORT: 'eighty' });
  expect(await proc.exit).toBe(1);
  expect(proc.stderr()).toContain(
    'DATABASE_URL: expected a URL starting with postgres:// or postgresql://',
  );
  expect(proc.stderr()).toContain('PORT:');
  expect(proc.stderr()).not.toMatch(/\n\s+at /); // a message, not a stack trace
});

it('serves, then on SIGTERM stops cleanly and exits 0 well within 10 s', async () => {
  const proc = run({ DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'info' });
  try {
    await waitFor(
      () => /listening on http:\/\/[\d.]+:\d+/.test(proc.stdout()),
      'the listening line',
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    const port = /listening on http:\/\/[\d.]+:(\d+)/.exec(proc.stdout())?.[1];
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    const started = Date.now();
    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    proc.child.kill('SIGKILL');
  }
});

it('batches its request lines, and writes them all, in order, when SIGTERM ends it', async () => {
  const proc = run({
    DATABASE_URL: database.url,
    PORT: '0',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    // Longer than the test: only the shutdown can write them.
    REQUEST_LOG_FLUSH_MS: '60000',
    // No job schedules: their "in place" line, written once the queues answer, would push the
    // waiting request lines out at a time of its own.
    QUEUES_ENABLED: 'false',
  });
  try {
    await waitFor(() => /listening on http:\/\/[\d.]+:\d+/.test(proc.stdout()), 'listening', {
      timeoutMs: 15_000,
      intervalMs: 50,
    });
    const port = Number(/listening on http:\/\/[\d.]+:(\d+)/.exec(proc.stdout())?.[1]);
    const ids = ['batched-1', 'batched-2', 'batched-3'];
    for (const id of ids) {
      const res = await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`, {
        headers: { 'x-request-id': id },
      });
      expect(res.status).toBe(200);
    }
    const requestLines = () =>
      proc
        .stdout()
        .split('\n')
        .filter((line) => line.includes('"msg":"request completed"'))
        .map((line) => (JSON.parse(line) as { requestId: string }).requestId);
    // Held back: a few lines are far from a batch's 4 KB.
    expect(requestLines()).toEqual([]);

    // A request still in flight at SIGTERM: its body arrives after the shutdown's last line,
    // so only the app's close (or the exit handler) can write its request line.
    const inFlight = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/partners',
        headers: {
          'content-type': 'application/json',
          'content-length': '2',
          'x-request-id': 'in-flight-1',
          // Node answers 100 Continue once it has parsed the headers: the request is in flight.
          expect: '100-continue',
        },
      },
      (res) => res.resume(),
    );
    const answered = new Promise<number | undefined>((resolve, reject) => {
      inFlight.on('response', (res) => resolve(res.statusCode));
      inFlight.on('error', reject);
    });
    inFlight.flushHeaders();
    await new Promise<void>((resolve, reject) => {
      inFlight.once('continue', resolve);
      inFlight.once('error', reject);
    });
    inFlight.write('{');
    proc.child.kill('SIGTERM');
    await waitFor(() => proc.stdout().includes('SIGTERM: shutting down'), 'the shutdown line');
    inFlight.end('}');
    // Anonymous: refused, but answered, as every request in flight at SIGTERM is.
    expect(await answered).toBe(401);

    expect(await proc.exit).toBe(0);
    expect(requestLines()).toEqual([...ids, 'in-flight-1']);
    const stdout = proc.stdout();
    expect(stdout.indexOf('"requestId":"in-flight-1"')).toBeGreaterThan(
      stdout.indexOf('SIGTERM: shutting down'),
    );
  } finally {
    proc.child.kill('SIGKILL');
  }
});
