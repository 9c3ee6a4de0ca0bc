// Small helpers every benchmark shares: paths, progress lines, options from the environment.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const repoRoot = dirname(benchDir);
/**
 * Where results are written: `bench/results/` (committed), or BENCH_RESULTS_DIR. A quick run
 * (`bench/run.mjs --quick`) writes elsewhere: its numbers are a smoke test, not results.
 */
export const resultsDir = process.env.BENCH_RESULTS_DIR || join(benchDir, 'results');

/** BENCH_QUICK=1 (`bench/run.mjs --quick`): a short, CI-sized run that proves the bench works. */
export const quickRun = process.env.BENCH_QUICK === '1';

/** A failure the benchmark diagnosed itself: its message says it all, no stack needed. */
export class BenchFailure extends Error {
  name = 'BenchFailure';
}

/**
 * The project runs on Node 24 (pinned through the `node` npm package). A benchmark started with
 * the machine's older `node` would measure a runtime production never uses, so refuse it.
 */
export function requireProjectNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    throw new BenchFailure(
      `running on Node ${process.versions.node}; the project runs on Node 24. ` +
        'Use `npm run bench` or `node_modules/.bin/node bench/run.mjs`.',
    );
  }
}

/** Fails early, naming the fix, when a built file the benchmark starts is missing. */
export function requireBuilt(relativePath) {
  if (!existsSync(join(repoRoot, relativePath))) {
    throw new BenchFailure(
      `${relativePath} is missing: build first (\`npm run bench\` builds, then runs).`,
    );
  }
}

/**
 * Prints one progress line, prefixed with the benchmark's name and the time since it started,
 * so a run of a minute or more shows which phase it is in.
 */
export function progressLogger(name) {
  const started = performance.now();
  return (message) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(5);
    process.stdout.write(`[${name} ${seconds}s] ${message}\n`);
  };
}

/** A positive integer from the environment, or the default; anything else is an error. */
export function intOption(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new BenchFailure(`${name} must be a positive integer (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** A comma-separated list from the environment, or the default. */
export function listOption(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rounded to two decimals, as the results files keep ratios and CPU times. */
export const hundredths = (n) => Math.round(n * 100) / 100;
