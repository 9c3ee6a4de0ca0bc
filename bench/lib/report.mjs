// What a benchmark prints and writes down: the machine, a table, a results file.

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { resultsDir } from './common.mjs';

/** Enough about the machine to tell whether two results files are comparable. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

/** A plain-text table: the first row is the header; numbers are right-aligned. */
export function formatTable(rows) {
  const text = rows.map((row) => row.map(String));
  const widths = text[0].map((_, i) => Math.max(...text.map((row) => row[i].length)));
  const line = (row) =>
    row
      .map((cell, i) =>
        i > 0 && /^[\d.,×x]+/.test(cell) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd();
  return [
    line(text[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...text.slice(1).map(line),
  ].join('\n');
}

/**
 * Writes `bench/results/<name>.json`, meant to be committed: the latest numbers live next to
 * the code that made them. Written to a `.tmp` file first (ignored by git) and renamed, so an
 * interrupted run never leaves half a file.
 */
export function writeResults(name, data) {
  // Which timestamp parser the baselines' pools ran with (lib/baseline-pool.mjs): `default` is
  // node-postgres' own, as plain Fastify + pg has it.
  const recorded = {
    ...data,
    baselineTimestamps: process.env.BENCH_BASELINE_TIMESTAMPS || 'default',
  };
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(recorded, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}
