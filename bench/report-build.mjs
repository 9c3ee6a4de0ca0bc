// report-build: the fiscal-year report over 1,000,000 activity rows and 1,000,000 mobility rows,
// built by the worker's built kind and written by each format writer the worker has
// (`formatWriters`: CSV, and XLSX/PDF once they land), each in a child process of its own so its
// peak memory (`process.resourceUsage().maxRSS`) is the builder's alone. Baseline, in the same
// run and also in a child: the same detail rows read with a bare pg cursor and written with
// csv-stringify. Printed: rows/s, seconds and peak RSS of each, and the ratio to the baseline.
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
const KINDS = 'apps/worker/dist/reports/kinds/index.js';
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

/** In a child: the worker's kind and format writer, as the pipeline runs them. */
async function childBuild(url, format, file) {
  const { createDb } = await import('@sp/db');
  const { sql } = await import('kysely');
  const { reportKinds } = await import(join(repoRoot, KINDS));
  const { formatWriters } = await import(join(repoRoot, FORMATS));
  const kind = reportKinds['fiscal-year'];
  const writer = formatWriters[format];
  const db = createDb(url, { max: 1, statementTimeoutMillis: 0, applicationName: 'bench-report' });
  // What the process holds before building (Node, the worker's modules): the build's own growth
  // is the peak minus this.
  const loadedMb = process.memoryUsage().rss / 1024 / 1024;
  const started = performance.now();
  let rows = 0;
  let estimate = 0;
  let told = 0;
  try {
    await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        await sql`set local role sp_report_reader`.execute(trx);
        estimate = await kind.estimateRows(trx, { fiscalYear: FISCAL_YEAR });
        const doc = await kind.build(trx, { fiscalYear: FISCAL_YEAR }, { now: new Date() });
        await writer.write(doc, createWriteStream(file), (n) => {
          rows = n;
          if (n - told >= 200_000) {
            told = n;
            process.stderr.write(
              `  ${format}: ${n.toLocaleString('en')} rows (${Math.round((100 * n) / estimate)} %)\n`,
            );
          }
        });
      });
  } finally {
    await db.destroy();
  }
  return { rows, estimate, loadedMb, seconds: (performance.now() - started) / 1000 };
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
  requireBuilt(KINDS);
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
    log(`${format}: the worker's fiscal-year kind + ${format} writer (child process)`);
    results[format] = await runChild(format, database.url, join(dir, `report.${format}`));
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
  const result =
    mode === 'baseline' ? await childBaseline(url, file) : await childBuild(url, mode, file);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, maxRssMb })}\n`);
} else {
  await runBenchmark(NAME, main, { log, cleaningUp: 'dropping the database, removing the files' });
}
