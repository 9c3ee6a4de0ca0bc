#!/usr/bin/env node
// `npm test`: format check, lint, typecheck and build through turbo (cached when nothing
// changed), then every Jest test in one run against the real Postgres and Redis. Ends with a
// plain "N passed, N failed" line that any CI can read.
// The fault suite (test/resilience) runs in it in its short variant (RESILIENCE_QUICK=1:
// shorter outages, fewer messages); `npm run test:resilience` (this script with
// `--resilience`) runs only that suite, in full, after the same checks and build (its tests
// start the built apps).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const resilienceOnly = args.includes('--resilience');
const jestArgs = resilienceOnly
  ? ['--testPathPatterns', 'test/resilience/', ...args.filter((a) => a !== '--resilience')]
  : args;

const env = {
  ...process.env,
  RESILIENCE_QUICK: process.env.RESILIENCE_QUICK ?? (resilienceOnly ? '0' : '1'),
  TURBO_TELEMETRY_DISABLED: '1',
  // NestJS 12 is ES-modules-only; Jest loads it only with VM modules enabled.
  NODE_OPTIONS: [
    process.env.NODE_OPTIONS,
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
  ]
    .filter(Boolean)
    .join(' '),
};
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env }).status ?? 1;

const checks = run('turbo', [
  'run',
  'format:check',
  'lint',
  'lint:root',
  'typecheck',
  'typecheck:root',
  'build',
  '--output-logs=errors-only',
]);
if (checks !== 0) {
  console.error('Format, lint, typecheck or build failed (see above); tests were not run.');
  console.log('0 passed, 1 failed');
  process.exit(checks);
}

const dir = mkdtempSync(join(tmpdir(), 'sp-jest-'));
const results = join(dir, 'results.json');
const status = run('jest', ['--json', `--outputFile=${results}`, ...jestArgs]);
try {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(
    `${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`,
  );
} catch {
  console.log('0 passed, 1 failed');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
