// inquiry-submit: how fast the inquiries service takes public submissions (`POST /inquiries`,
// JSON: validation, the transaction with the per-year reference counter, audit and outbox),
// compared with plain Fastify + pg running the same transaction (baseline-inquiry-server.mjs).
// The ratio service/baseline is the share of raw capacity left after everything the service
// adds (Nest, guards, the rate limiter's Redis round trip, zod, logging, Kysely).
//
// Steps: a throwaway database (migrated) → the baseline and the service as child processes
// (the service's relay off — QUEUES_ENABLED=false — so both only write the outbox) → a check
// that both answer 201 with a receipt of the same shape and write the same rows per submission
// → a warm-up each, then closed-loop load in short slices, the servers taking turns (as in
// http-read) → a table and bench/results/inquiry-submit.json.
//
// Run through bench/run.mjs (`npm run bench`), or alone after a build:
//   node_modules/.bin/node bench/inquiry-submit.mjs
// Options, from the environment (defaults in brackets; BENCH_QUICK=1 for a quick run):
//   BENCH_CONNECTIONS [50]      concurrent connections
//   BENCH_WARMUP_SECONDS [3|1]  load per server before measuring, not counted
//   BENCH_SLICE_SECONDS [2|1]   one measured slice
//   BENCH_ROUNDS [8|2]          slices per server (one per round)
//   BENCH_POOL_MAX [10]         Postgres pool size of every server
//   BENCH_DATABASE_URL          the Postgres server [postgres://postgres@127.0.0.1:5432/postgres]

import { sql } from 'kysely';
import { cleanUpOnSignals } from './lib/cleanup.mjs';
import {
  BenchFailure,
  intOption,
  progressLogger,
  requireBuilt,
  hundredths,
  requireProjectNode,
} from './lib/common.mjs';
import { createBenchDatabase, postgresVersion } from './lib/database.mjs';
import { describeFailures, loadTest, median, percentiles, turnOrder } from './lib/load.mjs';
import { runBenchmark } from './lib/main.mjs';
import { measuredSlice, startServer } from './lib/processes.mjs';
import { formatTable, machineInfo, writeResults } from './lib/report.mjs';

const NAME = 'inquiry-submit';
const SERVICE_MAIN = 'apps/inquiries/dist/main.js';
const BASELINE = 'bench/baseline-inquiry-server.mjs';
const PATH = '/inquiries';
/** Service req/s at least this share of the baseline's. Reported, never enforced. */
const TARGET_RATIO = 0.8;
const BODY = JSON.stringify({
  name: 'Bench Inquirer',
  email: 'bench@example.org',
  organisation: 'Benchmark University',
  country: 'NO',
  language: 'en',
  category: 'symposium',
  fields: { role: 'attendee', edition: 6 },
  subject: 'Attending the next symposium',
  message: 'We would like to attend the next Strategic Partnership Symposium. '.repeat(4),
});
const HEADERS = { 'content-type': 'application/json' };

const log = progressLogger(NAME);
let options;
const readOptions = () => {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    quick,
    connections: intOption('BENCH_CONNECTIONS', 50),
    warmupSeconds: intOption('BENCH_WARMUP_SECONDS', quick ? 1 : 3),
    sliceSeconds: intOption('BENCH_SLICE_SECONDS', quick ? 1 : 2),
    rounds: intOption('BENCH_ROUNDS', quick ? 2 : 8),
    poolMax: intOption('BENCH_POOL_MAX', 10),
  };
};

async function main() {
  requireProjectNode();
  options = readOptions();
  requireBuilt(SERVICE_MAIN);
  cleanUpOnSignals(log);
  const started = new Date();
  const machine = machineInfo();
  log('creating and migrating a throwaway database');
  const database = await createBenchDatabase();
  const targets = await startTargets(database.url);
  await checkSameWork(targets, database.db);
  await database.close();
  await measure(targets);
  report(targets, { started, machine, postgres: await postgresVersion() });
}

async function startTargets(databaseUrl) {
  const common = { DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: String(options.poolMax) };
  log('starting the baseline (plain Fastify + pg)');
  const baseline = await startServer({
    name: 'inquiry-baseline',
    args: [BASELINE],
    env: common,
    readyPath: '/health/ready',
  });
  log('starting the inquiries service (LOG_LEVEL=warn)');
  const service = await startServer({
    name: 'inquiries',
    args: [SERVICE_MAIN],
    env: {
      ...common,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      // One address sends all the load: the limiter still runs (its Redis round trip per
      // request, as in production), only its refusals are lifted.
      RATE_LIMIT_PUBLIC_PER_MINUTE: String(1e9),
      // Both servers write the outbox; neither relays it during the measurement.
      QUEUES_ENABLED: 'false',
      INQUIRY_SUBMIT_CONCURRENCY: String(Math.max(1, options.poolMax - 1)),
    },
    readyPath: '/health/live',
  });
  return [
    { key: 'baseline', label: 'baseline (Fastify + pg)', server: baseline },
    { key: 'service', label: 'service (LOG_LEVEL=warn)', server: service },
  ];
}

/** Both answer 201 with the same receipt shape and write the same rows for one submission. */
async function checkSameWork(targets, db) {
  log('checking that both servers do the same work for one submission');
  const tables = [
    'inquiries.inquiry',
    'inquiries.message',
    'inquiries.mail_thread',
    'inquiries.audit_log',
    'inquiries.outbox',
  ];
  const counts = async () =>
    Object.fromEntries(
      await Promise.all(
        tables.map(async (t) => [
          t,
          Number((await sql`select count(*) as n from ${sql.table(t)}`.execute(db)).rows[0].n),
        ]),
      ),
    );
  const shapes = [];
  for (const { label, server } of targets) {
    const before = await counts();
    const response = await fetch(server.url + PATH, {
      method: 'POST',
      headers: HEADERS,
      body: BODY,
    });
    const text = await response.text();
    if (response.status !== 201) {
      throw new BenchFailure(`${label} answered ${response.status}: ${text.slice(0, 500)}`);
    }
    const receipt = JSON.parse(text);
    if (!/^INQ-\d{4}-\d{6}$/.test(receipt.reference)) {
      throw new BenchFailure(`${label} answered the reference ${receipt.reference}`);
    }
    const after = await counts();
    const written = Object.fromEntries(tables.map((t) => [t, after[t] - before[t]]));
    // The inquiry's columns each one fills in (the SLA due times, say), not only its rows.
    const { rows } =
      await sql`select * from inquiries.inquiry where reference = ${receipt.reference}`.execute(db);
    const filled = Object.keys(rows[0] ?? {}).filter((column) => rows[0][column] !== null);
    const due = [rows[0]?.firstResponseDueAt, rows[0]?.resolutionDueAt];
    shapes.push({
      label,
      keys: Object.keys(receipt).sort().join(','),
      written: JSON.stringify(written),
      filled: filled.sort().join(','),
      due,
    });
  }
  const [a, b] = shapes;
  if (a.keys !== b.keys || a.written !== b.written || a.filled !== b.filled) {
    throw new BenchFailure(
      `the servers do different work:\n  ${a.label}: ${a.keys} ${a.written} ${a.filled}\n  ${b.label}: ${b.keys} ${b.written} ${b.filled}`,
    );
  }
  // The same SLA calendar and targets: the two submissions are moments apart, so their due
  // times are too (a minute allows for the slower server).
  const apart = a.due.map((at, i) => Math.abs(at - b.due[i]));
  if (apart.some((ms) => !(ms < 60_000))) {
    throw new BenchFailure(
      `the servers set different SLA due times:\n  ${a.label}: ${a.due.map((d) => d?.toISOString()).join(', ')}\n  ${b.label}: ${b.due.map((d) => d?.toISOString()).join(', ')}`,
    );
  }
  log(`both answer {${a.keys}}, write ${a.written} and fill the inquiry's ${a.filled}`);
}

/** Servers take turns in short slices, the order rotating every round (see http-read.mjs). */
async function measure(targets) {
  const { rounds, warmupSeconds, sliceSeconds, connections } = options;
  const load = (target, seconds, latencies, firstLatencies) =>
    loadTest({
      url: target.server.url + PATH,
      connections,
      seconds,
      headers: HEADERS,
      method: 'POST',
      body: BODY,
      latencies,
      firstLatencies,
    });
  for (const target of targets) {
    log(`warming up ${target.label}: ${warmupSeconds} s, ${connections} connections`);
    const warmup = await load(target, warmupSeconds);
    if (!warmup.ok) fail(target, warmup, 'during warm-up');
    target.slices = [];
    target.latencies = [];
    // Each connection's first answer apart, as in http-read (see loadTest).
    target.firstLatencies = [];
    // The server's own CPU over its slices (and what it finishes after each), per submission:
    // steadier than req/s on a shared host, whose other work moves both servers' throughput.
    target.cpuSeconds = 0;
  }
  log(`measuring: ${rounds} rounds of ${sliceSeconds} s per server, taking turns`);
  for (let round = 1; round <= rounds; round++) {
    const order = turnOrder(targets, round);
    for (const target of order) {
      const slice = await measuredSlice(target, () =>
        load(target, sliceSeconds, target.latencies, target.firstLatencies),
      );
      if (!slice.ok) fail(target, slice, `in round ${round}`);
      target.slices.push({ round, ...slice });
    }
    log(
      `round ${round}/${rounds}: ${targets.map((t) => `${t.label} ${t.slices.at(-1).reqPerSec}`).join(' · ')} req/s`,
    );
  }
  const [baseline, service] = targets;
  for (const target of targets) {
    target.reqPerSec = Math.round(median(target.slices.map((s) => s.reqPerSec)));
    target.latencyMs = percentiles(target.latencies, [50, 90, 99]);
    target.firstLatencyMs = percentiles(target.firstLatencies, [50, 99]);
    target.requests = target.latencies.length + target.firstLatencies.length;
    target.cpuMsPerRequest = hundredths((target.cpuSeconds * 1000) / target.requests);
    delete target.latencies;
    delete target.firstLatencies;
  }
  service.roundRatios = service.slices.map((s, i) =>
    hundredths(s.reqPerSec / baseline.slices[i].reqPerSec),
  );
  service.ratio = hundredths(median(service.roundRatios));
  service.cpuRatio = hundredths(baseline.cpuMsPerRequest / service.cpuMsPerRequest);
}

function fail(target, summary, when) {
  throw new BenchFailure(
    `${target.label} failed ${when}: ${describeFailures(summary)} out of ${summary.requests} requests.\n` +
      `Its last output:\n${target.server.tail(15)}`,
  );
}

function report(targets, { started, machine, postgres }) {
  const [, service] = targets;
  const met = service.ratio >= TARGET_RATIO;
  const rows = [
    ['', 'req/s', 'p50 ms', 'p99 ms', 'p99 first ms', 'CPU ms/req', 'service/baseline'],
  ];
  for (const t of targets) {
    rows.push([
      t.label,
      t.reqPerSec,
      t.latencyMs.p50.toFixed(1),
      t.latencyMs.p99.toFixed(1),
      t.firstLatencyMs.p99.toFixed(1),
      Number.isNaN(t.cpuMsPerRequest) ? '?' : t.cpuMsPerRequest.toFixed(2),
      t.ratio === undefined ? '' : t.ratio.toFixed(2),
    ]);
  }
  process.stdout.write(
    `\n${NAME}: POST ${PATH}, ${options.connections} connections, ${options.rounds} × ` +
      `${options.sliceSeconds} s per server${options.quick ? ' (quick)' : ''}\n\n${formatTable(rows)}\n\n` +
      `ratio service / baseline: ${service.ratio.toFixed(2)} — target ≥ ${TARGET_RATIO}: ${met ? 'met' : 'NOT met'}\n` +
      (Number.isNaN(service.cpuRatio)
        ? ''
        : `cross-check, CPU per request baseline / service: ${service.cpuRatio.toFixed(2)}\n`),
  );
  const file = writeResults(NAME, {
    benchmark: NAME,
    description:
      'POST /inquiries (JSON, symposium category) on the inquiries service vs the same ' +
      'validation and transaction on plain Fastify + pg; closed-loop load with autocannon.',
    date: started.toISOString(),
    machine: { ...machine, postgres },
    parameters: {
      endpoint: `POST ${PATH}`,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      rounds: options.rounds,
      sliceSeconds: options.sliceSeconds,
      quick: options.quick,
      databasePoolMax: options.poolMax,
    },
    results: targets.map((t) => ({
      key: t.key,
      label: t.label,
      reqPerSec: t.reqPerSec,
      latencyMs: t.latencyMs,
      firstRequestLatencyMs: t.firstLatencyMs,
      requests: t.requests,
      cpuMsPerRequest: Number.isNaN(t.cpuMsPerRequest) ? null : t.cpuMsPerRequest,
      ...(t.ratio === undefined ? {} : { ratio: t.ratio, roundRatios: t.roundRatios }),
      slices: t.slices.map((s) => ({ ...s, ok: undefined })),
    })),
    ratio: { value: service.ratio, target: TARGET_RATIO, met },
    cpuRatio: Number.isNaN(service.cpuRatio) ? null : service.cpuRatio,
  });
  log(`results written to ${file}`);
}

await runBenchmark(NAME, main, { log, cleaningUp: 'stopping servers, dropping the database' });
