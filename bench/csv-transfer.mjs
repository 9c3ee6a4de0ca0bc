// csv-transfer: the registry's CSV export and import against plain pg doing the same work.
//
// Export: GET /exports/activities.csv of BENCH_EXPORT_ROWS activities, written by Postgres
// (`COPY … TO STDOUT (FORMAT csv)` of the export's columns) and streamed by the service to the
// reader, against two baselines in this process: the same COPY statement read bare with
// pg-copy-streams (the ratio printed), and a bare pg-cursor whose rows are joined to CSV by hand
// (what an export through row objects costs). Printed: rows/s of each, the service's ratio, and
// the service process's memory: idle (RSS after start and one request), peak during the export
// (VmHWM, target under 200 MB) and the export's increment over idle.
// Import: POST /imports/activities?dryRun=false of BENCH_IMPORT_ROWS rows (parse, check every
// row against the contract, one transaction of batched inserts with an event per row), against
// a baseline inserting the same rows with plain pg multi-row INSERTs in one transaction.
// Printed: rows/s of each and their ratio, and the service's peak RSS during the import, for a
// first import of a fifth of the rows and then the full one: the peak must not grow with the
// file (target well under 300 MB). Each phase's peak is its own: the kernel's high-water mark is
// reset before it (/proc/<pid>/clear_refs). Nothing is asserted: a slow result is not a failure.
//
// Run through bench/run.mjs (`npm run bench`), or alone after a build:
//   node_modules/.bin/node bench/csv-transfer.mjs
// Options, from the environment (defaults in brackets):
//   BENCH_QUICK [unset]              1: 10,000 rows to export and 5,000 to import (CI)
//   BENCH_EXPORT_ROWS [100000]       activities in the database to export
//   BENCH_IMPORT_ROWS [50000]        activities in the imported file
//   BENCH_DATABASE_URL               the Postgres server
//                                    [postgres://postgres@127.0.0.1:5432/postgres]
//   BENCH_SERVER_NODE_OPTIONS [unset] Node options for the service, e.g. --max-semi-space-size=16
//                                    (memory against CPU: README.md, Performance)

// First: V8 set as the services run it (lib/v8-runtime.mjs).
import './lib/v8-runtime.mjs';
import { loadDevKey, mintDevStaffToken } from '@sp/platform/dev';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { to as copyTo } from 'pg-copy-streams';
import { cleanUpOnSignals, onCleanup } from './lib/cleanup.mjs';
import { intOption, progressLogger, requireBuilt, requireProjectNode } from './lib/common.mjs';
import { createBenchDatabase, postgresVersion } from './lib/database.mjs';
import { runBenchmark } from './lib/main.mjs';
import { serverNodeOptions, startServer } from './lib/processes.mjs';
import { formatTable, machineInfo, writeResults } from './lib/report.mjs';

const NAME = 'csv-transfer';
const SERVICE_MAIN = 'apps/partner-registry/dist/main.js';
const AUDIENCE = 'strategic-partnerships';
const quick = process.env.BENCH_QUICK === '1';
const options = {
  quick,
  exportRows: intOption('BENCH_EXPORT_ROWS', quick ? 10_000 : 100_000),
  importRows: intOption('BENCH_IMPORT_ROWS', quick ? 5_000 : 50_000),
};
const log = progressLogger(NAME);

/** Peak and current resident memory of a process, in MB (Linux /proc). */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return { peakMb: NaN, rssMb: NaN };
  }
}

/**
 * Resets a process's peak resident memory (VmHWM) to its current RSS, so the next reading is the
 * peak of what follows only. False where the kernel refuses (not Linux, another user's process).
 */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const csvCell = (v) => {
  if (v === null || v === undefined) return '';
  const s =
    v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** The baseline export: a bare pg cursor, rows joined to CSV by hand, bytes counted. */
async function baselineExport(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    const cursor = client.query(
      new Cursor(
        `select a.*, p.name_en as partner_name_en from registry.activity a
         join registry.partner p on p.id = a.partner_id order by a.created_at, a.id`,
      ),
    );
    let rows = 0;
    let bytes = 0;
    for (;;) {
      const batch = await cursor.read(2000);
      if (batch.length === 0) break;
      for (const row of batch) bytes += Object.values(row).map(csvCell).join(',').length + 2;
      rows += batch.length;
    }
    await cursor.close();
    return { rows, bytes, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

/**
 * The bare COPY baseline: the statement the service runs for the export (its columns, from the
 * built service), read to the end with pg-copy-streams; rows counted as the service's are.
 */
async function baselineCopy(url) {
  const { activityCsvColumns } =
    await import('../apps/partner-registry/dist/exports/exports.mapper.js');
  const columns = activityCsvColumns.map((c) => c.sql).join(', ');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("set datestyle = 'ISO, YMD'");
    const started = performance.now();
    const stream = client.query(
      copyTo(
        `copy (select ${columns} from registry.activity a join registry.partner p on p.id = a.partner_id
         order by a.created_at, a.id) to stdout (format csv)`,
      ),
    );
    const counted = await countRecords(stream);
    return {
      rows: counted.records,
      bytes: counted.bytes,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await client.end();
  }
}

/** Bytes, and records by line ends outside quotes, of a CSV stream read to the end. */
async function countRecords(stream) {
  let bytes = 0;
  let records = 0;
  let quoted = false;
  for await (const chunk of stream) {
    bytes += chunk.length;
    for (const byte of chunk) {
      if (byte === 0x22) quoted = !quoted;
      else if (byte === 0x0a && !quoted) records++;
    }
  }
  return { bytes, records };
}

/** The service's export, read to the end; rows counted by line ends outside quotes. */
async function serviceExport(server, headers) {
  const started = performance.now();
  const res = await fetch(`${server.url}/exports/activities.csv`, { headers });
  if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  const { bytes, records } = await countRecords(res.body);
  // (The header row is a record too.)
  return { rows: records - 1, bytes, seconds: (performance.now() - started) / 1000 };
}

function importFile(partnerId, rows) {
  const lines = [
    'partnerId,type,titleEn,titleJa,departments,startsOn,status,isPublic,outputs.studentsInvolved',
  ];
  for (let i = 0; i < rows; i++)
    lines.push(
      `${partnerId},joint-research,"Imported research ${i}, bench",ベンチ共同研究${i},Engineering; 工学系研究科,2024-04-01,ongoing,${i % 2 === 0},${i % 50}`,
    );
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`);
}

/** The baseline import: the same rows, plain pg multi-row INSERTs in one transaction. */
async function baselineImport(url, partnerId, rows) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    await client.query('begin');
    const columns = 12;
    for (let i = 0; i < rows; i += 1000) {
      const values = [];
      const params = [];
      for (let j = i; j < Math.min(rows, i + 1000); j++) {
        const o = params.length;
        values.push(`(${Array.from({ length: columns }, (_, k) => `$${o + k + 1}`).join(',')})`);
        params.push(
          partnerId,
          'joint-research',
          `Baseline research ${j}, bench`,
          `ベンチ基準${j}`,
          ['Engineering', '工学系研究科'],
          '2024-04-01',
          'ongoing',
          j % 2 === 0,
          JSON.stringify({ papers: [], events: [], studentsInvolved: j % 50 }),
          'approved',
          'staff',
          'bench',
        );
      }
      await client.query(
        `insert into registry.activity (partner_id, type, title_en, title_ja, departments, starts_on, status, is_public, outputs,
           review_status, reported_by, created_by)
         values ${values.join(',')}`,
        params,
      );
    }
    await client.query('commit');
    return { rows, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

async function main() {
  requireProjectNode();
  requireBuilt(SERVICE_MAIN);
  cleanUpOnSignals(log);
  log(`options: ${JSON.stringify(options)}, service Node options: ${serverNodeOptions || 'none'}`);
  const database = await createBenchDatabase();
  const { db } = database;
  const { id: partnerId } = await db
    .insertInto('registry.partner')
    .values({ nameEn: 'Bench University', nameJa: 'ベンチ大学', country: 'JP', status: 'primary' })
    .returning('id')
    .executeTakeFirstOrThrow();
  log(`inserting ${options.exportRows} activities to export`);
  // A client of its own, without the pool's 15 s statement timeouts: on a busy machine the
  // one statement inserting (and indexing) every row can take longer than that.
  const loader = new pg.Client({ connectionString: database.url });
  await loader.connect();
  try {
    await loader.query(
      `insert into registry.activity (partner_id, type, title_en, title_ja, summary_en, summary_ja,
        departments, leads, starts_on, status, is_public, review_status, reported_by, created_by)
      select $1::uuid, 'joint-research', 'Joint research ' || g, '東京大学との共同研究 ' || g,
        'A summary, with "quotes" and a comma, of project ' || g, '日本語の概要 ' || g,
        array['Engineering', '工学系研究科'], array['Prof. A', 'Prof. B'], date '2024-04-01',
        'ongoing', g % 2 = 0, 'approved', 'staff', 'bench'
      from generate_series(1, $2::int) g`,
      [partnerId, options.exportRows],
    );
  } finally {
    await loader.end();
  }
  await database.close();

  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-auth-'));
  onCleanup('remove the signing key', () => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'staff-key.json');
  const token = await mintDevStaffToken(await loadDevKey(keyFile), {
    sub: 'bench',
    role: 'staff',
    audience: AUDIENCE,
  });
  const headers = { authorization: `Bearer ${token}` };
  const server = await startServer({
    name: 'partner-registry',
    args: [SERVICE_MAIN],
    env: {
      DATABASE_URL: database.url,
      AUTH_DEV_KEY_FILE: keyFile,
      AUTH_AUDIENCE: AUDIENCE,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      // A minute of export is one request: the request timeout must not cut it.
      HTTP_REQUEST_TIMEOUT_MS: '600000',
      // An import answers only when it is done: its socket is quiet for as long as that takes.
      HTTP_IDLE_TIMEOUT_MS: '600000',
    },
    readyPath: '/health/ready',
  });

  // Idle: after one authenticated request (the routes, the token check and the pool warmed),
  // and a moment for the garbage collector.
  await (await fetch(`${server.url}/partners?limit=1`, { headers })).arrayBuffer();
  await sleep(2000);
  const idle = memoryOf(server.pid);
  log(
    `service idle: ${idle.rssMb.toFixed(0)} MB RSS (peak since start ${idle.peakMb.toFixed(0)} MB)`,
  );

  log('export: baseline (bare pg cursor)');
  const cursorExport = await baselineExport(database.url);
  log('export: baseline (bare COPY)');
  const baseExport = await baselineCopy(database.url);
  const peaksReset = resetPeak(server.pid);
  const before = memoryOf(server.pid);
  log('export: service');
  const svcExport = await serviceExport(server, headers);
  const after = memoryOf(server.pid);
  for (const [what, result] of Object.entries({ svcExport, baseExport, cursorExport }))
    if (result.rows !== options.exportRows)
      throw new Error(`${what} exported ${result.rows} rows of ${options.exportRows}`);

  /** One import through the service, with the service's peak RSS while it ran. */
  const serviceImport = async (rows) => {
    const file = importFile(partnerId, rows);
    await sleep(1000);
    resetPeak(server.pid);
    const start = memoryOf(server.pid);
    const started = performance.now();
    const res = await fetch(`${server.url}/imports/activities?dryRun=false`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv' },
      body: file,
    });
    const report = await res.json();
    if (res.status !== 200 || report.inserted !== rows)
      throw new Error(`import answered ${res.status}: ${JSON.stringify(report).slice(0, 300)}`);
    const seconds = (performance.now() - started) / 1000;
    const end = memoryOf(server.pid);
    return { rows, seconds, rssMbBefore: start.rssMb, peakMb: end.peakMb };
  };
  const smallRows = Math.max(1, Math.round(options.importRows / 5));
  log(`import: service (${smallRows} rows, one transaction)`);
  const svcImportSmall = await serviceImport(smallRows);
  log(`import: service (${options.importRows} rows, one transaction)`);
  const svcImport = await serviceImport(options.importRows);
  log('import: baseline (plain pg multi-row inserts)');
  const baseImport = await baselineImport(database.url, partnerId, options.importRows);

  const rate = (r) => Math.round(r.rows / r.seconds);
  const mb = (n) => `${n.toFixed(0)} MB`;
  const table = [
    ['', 'rows', 'seconds', 'rows/s', 'service/baseline', 'service peak RSS'],
    ['service idle', '', '', '', '', `${mb(idle.rssMb)} (RSS)`],
    [
      'export: baseline pg-cursor, CSV by hand',
      cursorExport.rows,
      cursorExport.seconds.toFixed(2),
      rate(cursorExport),
      '',
      '',
    ],
    [
      'export: baseline bare COPY',
      baseExport.rows,
      baseExport.seconds.toFixed(2),
      rate(baseExport),
      '',
      '',
    ],
    [
      'export: GET /exports/activities.csv',
      svcExport.rows,
      svcExport.seconds.toFixed(2),
      rate(svcExport),
      `${(rate(svcExport) / rate(baseExport)).toFixed(2)}×`,
      mb(after.peakMb),
    ],
    [
      'import: baseline pg inserts',
      baseImport.rows,
      baseImport.seconds.toFixed(2),
      rate(baseImport),
      '',
      '',
    ],
    [
      'import: POST /imports/activities',
      svcImportSmall.rows,
      svcImportSmall.seconds.toFixed(2),
      rate(svcImportSmall),
      '',
      mb(svcImportSmall.peakMb),
    ],
    [
      'import: POST /imports/activities',
      svcImport.rows,
      svcImport.seconds.toFixed(2),
      rate(svcImport),
      `${(rate(svcImport) / rate(baseImport)).toFixed(2)}×`,
      mb(svcImport.peakMb),
    ],
  ];
  process.stdout.write(`\n${formatTable(table)}\n`);
  if (!peaksReset)
    process.stdout.write('(the peak could not be reset: each peak is the highest since start)\n');
  process.stdout.write(
    `export peak memory ${mb(after.peakMb)} (target under 200 MB), ` +
      `${mb(after.peakMb - idle.rssMb)} over idle; CSV ${(svcExport.bytes / 1e6).toFixed(1)} MB\n` +
      `import peak memory ${mb(svcImportSmall.peakMb)} for ${svcImportSmall.rows} rows, ` +
      `${mb(svcImport.peakMb)} for ${svcImport.rows} rows (target well under 300 MB, flat)\n`,
  );
  writeResults(NAME, {
    machine: machineInfo(),
    postgres: await postgresVersion(),
    options,
    serviceNodeOptions: serverNodeOptions || null,
    export: {
      baseline: baseExport,
      cursorBaseline: cursorExport,
      service: { ...svcExport, rssMbBefore: before.rssMb, peakMb: after.peakMb },
    },
    import: { baseline: baseImport, service: svcImport, serviceSmall: svcImportSmall },
    idle: { rssMb: idle.rssMb, peakMbSinceStart: idle.peakMb },
  });
}

await runBenchmark(NAME, main, { log, cleaningUp: 'stopping the service, dropping the database' });
