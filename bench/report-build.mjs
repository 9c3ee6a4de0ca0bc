// report-build: the fiscal-year report over 1,000,000 activity rows and 1,000,000 mobility rows,
// built in each format the worker writes exactly as the worker builds it: its `ChildReportRunner`
// forks the built builder process (apps/worker/dist/reports/build/report-child.js) with the
// worker's default heap flags, which reads one snapshot as sp_report_reader and stores the file;
// its peak memory (VmHWM, reported by the builder) is the build's alone. Baseline, in the same run and also in a child: the same detail rows read with a bare pg
// cursor and written with csv-stringify. Printed: rows/s, seconds and peak RSS of each, the ratio
// to the baseline, and the progress the build reports while it runs.
// Targets (issue 12): CSV under 200 MB at 200,000 rows/s or more; XLSX under 300 MB at 60,000.
// Nothing is asserted: a slow result is not a failure (rates are unreliable on a loaded host;
// memory figures are not).
//
// Run through bench/run.mjs, or alone after a build:
//   node_modules/.bin/node bench/report-build.mjs
// Options, from the environment (defaults in brackets):
//   BENCH_QUICK [unset]              1: 20,000 rows of each
//   BENCH_REPORT_ROWS [1000000]      activity rows, and as many mobility rows
//   BENCH_DATABASE_URL               the Postgres server
//                                    [postgres://postgres@127.0.0.1:5432/postgres]

import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { cleanUpOnSignals, onCleanup } from './lib/cleanup.mjs';
import {
  intOption,
  progressLogger,
  repoRoot,
  requireBuilt,
  requireProjectNode,
} from './lib/common.mjs';
import { createBenchDatabase, postgresVersion } from './lib/database.mjs';
import { runBenchmark } from './lib/main.mjs';
import { fillReportData } from './lib/report-data.mjs';
import { formatTable, machineInfo, writeResults } from './lib/report.mjs';

const NAME = 'report-build';
const RUNNER = 'apps/worker/dist/reports/build/report-runner.js';
const CONFIG = 'apps/worker/dist/config.js';
const FORMATS = 'apps/worker/dist/reports/formats/index.js';
const FISCAL_YEAR = 2025;
const quick = process.env.BENCH_QUICK === '1';
const log = progressLogger(NAME);

/** The rows the baseline reads: the report's two detail listings, as the views give them. */
const baselineQueries = [
  `select p.name_en as partner, a.type, a.title_en, a.title_ja, a.departments, a.starts_on, a.ends_on, a.status
     from registry.report_activities a join registry.report_partners p on p.id = a.partner_id
    where a.status <> 'cancelled' and a.starts_on <= '${FISCAL_YEAR + 1}-03-31'
      and coalesce(a.ends_on, a.starts_on) >= '${FISCAL_YEAR}-04-01'
    order by p.name_en, a.starts_on, a.id`,
  `select p.name_en as partner, m.direction, m.person_group, m.person_type, m.programme, m.count
     from registry.report_mobility m join registry.report_partners p on p.id = m.partner_id
    where m.fiscal_year = ${FISCAL_YEAR}
    order by p.name_en, m.id`,
];

/** The worker's own builder: its runner forks the builder process, as a report run does. */
async function build(url, format, dir) {
  const { ChildReportRunner } = await import(join(repoRoot, RUNNER));
  const { configSchema } = await import(join(repoRoot, CONFIG));
  const defaults = configSchema.parse({});
  const runner = new ChildReportRunner({
    databaseUrl: url,
    storageDir: dir,
    closures: [],
    progressMs: 250,
    maxOldSpaceMb: defaults.REPORT_BUILDER_MAX_OLD_SPACE_MB,
    semiSpaceMb: defaults.REPORT_BUILDER_SEMI_SPACE_MB, // unset: per format, as the worker
  });
  const key = `reports/bench/report.${format}`;
  let estimate = 0;
  let told = 0;
  const started = performance.now();
  const result = await runner.run(
    {
      kind: 'fiscal-year',
      params: { fiscalYear: FISCAL_YEAR },
      format,
      key,
      now: new Date().toISOString(),
    },
    {
      estimate: (n) => (estimate = n),
      rows: (n) => {
        if (n - told < 200_000) return;
        told = n;
        process.stderr.write(
          `  ${format}: ${n.toLocaleString('en')} rows (${Math.round((100 * n) / estimate)} %)\n`,
        );
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    rows: result.rows,
    estimate,
    seconds,
    loadedMb: result.memory.loadedBytes / 2 ** 20,
    maxRssMb: result.memory.peakBytes / 2 ** 20,
    bytes: statSync(join(dir, key)).size,
  };
}

/** In a child: the same rows, a bare pg cursor, csv-stringify, a file. */
async function childBaseline(url, file) {
  const { default: pg } = await import('pg');
  const { default: Cursor } = await import('pg-cursor');
  const { stringify } = await import('csv-stringify');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const loadedMb = process.memoryUsage().rss / 1024 / 1024;
  const started = performance.now();
  let rows = 0;
  const csv = stringify({ bom: true, record_delimiter: 'windows' });
  const done = pipeline(csv, createWriteStream(file));
  try {
    for (const text of baselineQueries) {
      const cursor = client.query(new Cursor(text));
      for (;;) {
        const batch = await cursor.read(2_000);
        if (batch.length === 0) break;
        for (const row of batch) {
          if (
            !csv.write(
              Object.values(row).map((v) =>
                v === null ? '' : v instanceof Date ? v.toISOString() : String(v),
              ),
            )
          )
            await new Promise((resolve) => csv.once('drain', resolve));
        }
        rows += batch.length;
      }
      await cursor.close();
    }
    csv.end();
    await done;
  } finally {
    await client.end();
  }
  return { rows, loadedMb, seconds: (performance.now() - started) / 1000 };
}

/** Runs this file as a child (`child <format|baseline> <url> <file>`); resolves with its result. */
function runChild(mode, url, file) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), 'child', mode, url, file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line)
        reject(new Error(`${mode} child exited ${code}: ${out.slice(-500)}`));
      else resolve({ ...JSON.parse(line.slice(7)), bytes: statSync(file).size });
    });
  });
}

async function main() {
  requireProjectNode();
  requireBuilt(RUNNER);
  requireBuilt(FORMATS);
  cleanUpOnSignals(log);
  const rows = intOption('BENCH_REPORT_ROWS', quick ? 20_000 : 1_000_000);
  const options = { quick, activityRows: rows, mobilityRows: rows, fiscalYear: FISCAL_YEAR };
  log(`options: ${JSON.stringify(options)}`);
  const database = await createBenchDatabase();
  await fillReportData(database.db, {
    activities: rows,
    mobility: rows,
    fiscalYear: FISCAL_YEAR,
    log,
  });
  await database.close();

  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-report-'));
  onCleanup('remove the report files', () => rmSync(dir, { recursive: true, force: true }));
  const { formatWriters } = await import(join(repoRoot, FORMATS));
  const formats = Object.keys(formatWriters);

  log('baseline: bare pg cursor + csv-stringify (child process)');
  const baseline = await runChild('baseline', database.url, join(dir, 'baseline.csv'));
  const results = {};
  for (const format of formats) {
    log(`${format}: the worker's builder process, fiscal-year → ${format}`);
    results[format] = await build(database.url, format, dir);
  }

  const rate = (r) => Math.round(r.rows / r.seconds);
  const peak = (r) => `${r.maxRssMb.toFixed(0)} MB (${r.loadedMb.toFixed(0)} MB before building)`;
  const targets = { csv: 'under 200 MB, ≥ 200,000 rows/s', xlsx: 'under 300 MB, ≥ 60,000 rows/s' };
  const table = [
    ['', 'rows', 'seconds', 'rows/s', 'ratio to baseline', 'peak RSS', 'file', 'target'],
    [
      'baseline: pg cursor + csv-stringify',
      baseline.rows,
      baseline.seconds.toFixed(1),
      rate(baseline),
      '',
      peak(baseline),
      `${(baseline.bytes / 1e6).toFixed(0)} MB`,
      '',
    ],
    ...formats.map((f) => {
      const r = results[f];
      return [
        `fiscal-year → ${f}`,
        r.rows,
        r.seconds.toFixed(1),
        rate(r),
        `${(rate(r) / rate(baseline)).toFixed(2)}×`,
        peak(r),
        `${(r.bytes / 1e6).toFixed(0)} MB`,
        targets[f] ?? '',
      ];
    }),
  ];
  process.stdout.write(`\n${formatTable(table)}\n`);
  writeResults(NAME, {
    machine: machineInfo(),
    postgres: await postgresVersion(),
    options,
    baseline,
    formats: results,
  });
}

if (process.argv[2] === 'child') {
  const [, , , mode, url, file] = process.argv;
  if (mode !== 'baseline') throw new Error(`unknown child mode ${mode}`);
  const result = await childBaseline(url, file);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, maxRssMb })}\n`);
} else {
  await runBenchmark(NAME, main, { log, cleaningUp: 'dropping the database, removing the files' });
}
