// report-formats: the report format writers on a large detail section, against csv-stringify.
//
// A synthetic document with one `detail` section of BENCH_REPORT_ROWS rows (7 columns: an
// integer id, a unique title, a partner name in English or Japanese, a type, a date, a decimal
// amount, a percent) is written to a file in the temp directory by the worker's XLSX writer and
// its CSV writer (built dist), each in a process of its own so each peak memory is its own.
// The baseline, in the same run and in a process of its own too, writes the same rows through
// csv-stringify to a file and nothing more. Printed per variant: rows/s, peak RSS
// (process.resourceUsage().maxRSS) and file size, and the ratio of rows/s against the baseline.
// Targets for a whole report build (the writer must leave room for the rest): XLSX < 300 MB at
// ≥ 60,000 rows/s, CSV < 200 MB at ≥ 200,000 rows/s. Nothing is asserted: a slow result is not
// a failure; a variant that cannot run is.
//
// Run through bench/run.mjs, or alone after a build:
//   node_modules/.bin/node bench/report-formats.mjs
// Options, from the environment (defaults in brackets):
//   BENCH_QUICK [unset]               1: 100,000 rows (a smoke run)
//   BENCH_REPORT_ROWS [1000000]       rows in the detail section
//   BENCH_REPORT_PLAIN_EXCELJS [unset] 1: also exceljs's WorkbookWriter used as its README
//                                      shows (commit per row, no waiting for the zip), to see
//                                      what the writer's backpressure saves

import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { cleanUpOnSignals, onCleanup } from './lib/cleanup.mjs';
import {
  BenchFailure,
  intOption,
  progressLogger,
  repoRoot,
  requireBuilt,
  requireProjectNode,
} from './lib/common.mjs';
import { runBenchmark } from './lib/main.mjs';
import { formatTable, machineInfo, writeResults } from './lib/report.mjs';

const NAME = 'report-formats';
const FORMATS_DIST = 'apps/worker/dist/reports/formats';
const quick = process.env.BENCH_QUICK === '1';
const options = {
  quick,
  rows: intOption('BENCH_REPORT_ROWS', quick ? 100_000 : 1_000_000),
  plainExceljs: process.env.BENCH_REPORT_PLAIN_EXCELJS === '1',
};

const columns = [
  { key: 'id', header: 'Id', type: 'integer', width: 10 },
  { key: 'title', header: 'Title', type: 'text', width: 40 },
  { key: 'partner', header: 'Partner', type: 'text', width: 30 },
  { key: 'type', header: 'Type', type: 'text', width: 20 },
  { key: 'startDate', header: 'Start', type: 'date', width: 12 },
  { key: 'amount', header: 'Amount (JPY)', type: 'decimal', width: 16 },
  { key: 'share', header: 'Share', type: 'percent', width: 8 },
];
const partners = ['東京大学', 'チューリッヒ工科大学', 'University of Toronto', 'Université PSL'];
const types = ['joint research', 'education programme', 'mobility programme', 'joint symposium'];

/** The same rows every run, each title unique (shared strings would have to hold them all). */
async function* rows(count) {
  for (let i = 1; i <= count; i++) {
    const day = (i % 28) + 1;
    yield {
      id: i,
      title: `Activity ${i}: a joint project on topic ${i % 977}`,
      partner: partners[i % partners.length],
      type: types[i % types.length],
      startDate: `2025-${String((i % 12) + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      amount: `${(i * 37) % 10_000_000}.${String(i % 100).padStart(2, '0')}`,
      share: (i % 1000) / 1000,
    };
  }
}

function document(count) {
  return {
    title: 'Benchmark: one detail section',
    generatedAt: new Date(),
    facts: [{ label: 'rows', value: String(count) }],
    sections: [
      {
        kind: 'table',
        name: 'activities',
        title: 'Activities',
        columns,
        rows: rows(count),
        detail: true,
      },
    ],
  };
}

/** One variant, in this (child) process: writes the file, prints one JSON line. */
async function child(variant, file, count) {
  const started = performance.now();
  if (variant === 'baseline') {
    const { stringify } = await import('csv-stringify');
    const records = Readable.from(
      (async function* () {
        yield columns.map((c) => c.header);
        for await (const row of rows(count)) yield columns.map((c) => row[c.key]);
      })(),
    );
    await pipeline(
      records,
      stringify({ bom: true, record_delimiter: 'windows' }),
      createWriteStream(file),
    );
  } else if (variant === 'plain-exceljs') {
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: file,
      useSharedStrings: false,
      useStyles: true,
    });
    const sheet = workbook.addWorksheet('activities');
    sheet.columns = columns.map((c) => ({ header: c.header, key: c.key, width: c.width }));
    for await (const row of rows(count)) sheet.addRow(row).commit();
    sheet.commit();
    await workbook.commit();
  } else {
    const module = await import(join(repoRoot, FORMATS_DIST, `${variant}.writer.js`));
    const writer = module[`${variant}Writer`];
    let reported = 0;
    await writer.write(document(count), createWriteStream(file), (n) => {
      reported = n;
    });
    if (reported !== count)
      throw new BenchFailure(`${variant} reported ${reported} rows, not ${count}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const result = {
    variant,
    rows: count,
    seconds,
    rowsPerSecond: count / seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    fileMb: statSync(file).size / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(variant, file) {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', variant, file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, BENCH_REPORT_ROWS: String(options.rows) },
      },
    );
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.once('error', reject);
    proc.once('exit', (code, signal) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) {
        reject(new BenchFailure(`${variant} exited with ${code ?? signal}`));
        return;
      }
      resolve(JSON.parse(line));
    });
    onCleanup(`${variant} process`, () => proc.kill('SIGTERM'));
  });
}

async function main() {
  const log = progressLogger(NAME);
  requireProjectNode();
  requireBuilt(`${FORMATS_DIST}/xlsx.writer.js`);
  requireBuilt(`${FORMATS_DIST}/csv.writer.js`);
  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-report-formats-'));
  onCleanup('temp files', () => rmSync(dir, { recursive: true, force: true }));
  const variants = ['baseline', 'xlsx', 'csv', ...(options.plainExceljs ? ['plain-exceljs'] : [])];
  const results = [];
  for (const variant of variants) {
    log(`${variant}: ${options.rows.toLocaleString('en')} rows`);
    const ext = variant === 'baseline' || variant === 'csv' ? 'csv' : 'xlsx';
    const result = await runChild(variant, join(dir, `${variant}.${ext}`));
    rmSync(join(dir, `${variant}.${ext}`), { force: true });
    results.push(result);
  }
  const baseline = results[0];
  const targets = { xlsx: '< 300 MB, ≥ 60,000 rows/s', csv: '< 200 MB, ≥ 200,000 rows/s' };
  process.stdout.write(
    `\n${formatTable([
      ['variant', 'rows/s', 'peak RSS MB', 'file MB', 'rows/s vs baseline', 'target (whole build)'],
      ...results.map((r) => [
        r.variant === 'baseline' ? 'baseline (csv-stringify)' : r.variant,
        Math.round(r.rowsPerSecond).toLocaleString('en'),
        r.peakRssMb.toFixed(0),
        r.fileMb.toFixed(1),
        `${(r.rowsPerSecond / baseline.rowsPerSecond).toFixed(2)}`,
        targets[r.variant] ?? '',
      ]),
    ])}\n\n`,
  );
  writeResults(NAME, { machine: machineInfo(), options, at: new Date().toISOString(), results });
}

if (process.argv[2] === '--child') {
  const [, , , variant, file] = process.argv;
  try {
    await child(variant, file, intOption('BENCH_REPORT_ROWS', 1_000_000));
  } catch (error) {
    process.stderr.write(`${variant}: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  }
} else {
  cleanUpOnSignals();
  await runBenchmark(NAME, main, { log: progressLogger(NAME), cleaningUp: 'temp files' });
}
