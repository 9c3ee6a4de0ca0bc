import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sp/testing';

/**
 * `npm start`'s supervisor (scripts/lib/supervisor.mjs), run for real in a process of its own
 * over small processes that start, crash and refuse to start on cue.
 */

const supervisor = join(__dirname, '..', 'scripts', 'lib', 'supervisor.mjs');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sp-supervisor-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A supervised process: this Node running `script`. */
const app = (name: string, script: string) => ({
  name,
  command: process.execPath,
  args: ['-e', script],
});

type Run = { child: ChildProcess; output: () => string; exit: Promise<number | null> };

function supervise(apps: ReturnType<typeof app>[]): Run {
  const driver = join(dir, `driver-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    driver,
    `import { Supervisor } from ${JSON.stringify(supervisor)};
const s = new Supervisor(${JSON.stringify(apps)}, { firstDelayMs: 50, maxDelayMs: 200, stopTimeoutMs: 3000 }).start();
process.on('SIGINT', () => void s.stop(0));
s.done.then((code) => { console.log('supervisor done ' + code); process.exit(code); });
`,
  );
  const child = spawn(process.execPath, [driver], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

it('restarts an app that crashes after starting, loudly, and leaves the others running', async () => {
  const runs = join(dir, 'flaky-runs');
  const run = supervise([
    app('steady', `console.log('steady listening on http://x'); setInterval(() => {}, 1000);`),
    app(
      'flaky',
      `const fs = require('node:fs');
       const n = (fs.existsSync(${JSON.stringify(runs)}) ? Number(fs.readFileSync(${JSON.stringify(runs)}, 'utf8')) : 0) + 1;
       fs.writeFileSync(${JSON.stringify(runs)}, String(n));
       console.log('flaky listening on http://x run ' + n);
       if (n <= 2) setTimeout(() => process.exit(3), 100); else setInterval(() => {}, 1000);`,
    ),
  ]);
  try {
    await waitFor(() => run.output().includes('flaky listening on http://x run 3'), 'third run', {
      timeoutMs: 15_000,
    });
    const output = run.output();
    expect(count(output, /flaky exited unexpectedly \(code 3\); restarting it/g)).toBe(2);
    expect(output).toMatch(/\[flaky\] +flaky listening on http:\/\/x run 1/);
    expect(count(output, /steady listening/g)).toBe(1);
    expect(run.child.exitCode).toBeNull();

    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('supervisor done 0');
  } finally {
    run.child.kill('SIGKILL');
  }
});

it('stops everything when an app keeps crashing before it has started', async () => {
  const run = supervise([
    app('steady', `console.log('steady listening on http://x'); setInterval(() => {}, 1000);`),
    app('broken', `console.error('cannot read my config'); process.exit(1);`),
  ]);
  try {
    expect(await run.exit).toBe(1);
    const output = run.output();
    expect(output).toContain('broken exited (code 1) before it started, 3 times in a row');
    expect(count(output, /cannot read my config/g)).toBe(3);
    expect(output).toContain('supervisor done 1');
  } finally {
    run.child.kill('SIGKILL');
  }
});
