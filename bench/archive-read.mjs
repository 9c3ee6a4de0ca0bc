// archive-read: how fast the symposium service serves the public archive (GET
// /symposiums/archive: held symposiums newest first, with their published documents, in the
// reader's language), compared with the same request served by plain Fastify + pg
// (baseline-archive-server.mjs). The ratio service/baseline is the share of raw capacity left
// after everything the service adds (Nest, guards, the public rate limiter's Redis round trip,
// validation, logging, request ids, metrics, Kysely, language resolution in the mapper).
//
// Steps, as http-read.mjs: a throwaway database (migrated, seeded, plus generated past
// symposiums with documents, so the page has the size of a long-running programme) → the
// baseline and the service as child processes → a check that both answer the very same bytes →
// a warm-up each, then closed-loop load with autocannon in short slices, the servers taking
// turns → a table (req/s, p50/p99, ratio) and bench/results/archive-read.json.
//
// Run through bench/run.mjs (`npm run bench`), or alone after a build:
//   node_modules/.bin/node bench/archive-read.mjs
// Options, from the environment (defaults in brackets):
//   BENCH_QUICK [unset]          1: a quick run (fewer, shorter slices; fewer connections)
//   BENCH_CONNECTIONS [100|20]   concurrent connections
//   BENCH_WARMUP_SECONDS [3|1]   load per server before measuring, not counted
//   BENCH_SLICE_SECONDS [2|1]    one measured slice
//   BENCH_ROUNDS [8|2]           slices per server (one per round)
//   BENCH_SYMPOSIUMS [40]        generated past symposiums on top of the seven seeded
//   BENCH_POOL_MAX [10]          Postgres pool size of every server
//   BENCH_DATABASE_URL           the Postgres server [postgres://postgres@127.0.0.1:5432/postgres]

import { seed } from '@sp/db';
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

const NAME = 'archive-read';
const SERVICE_MAIN = 'apps/symposium/dist/main.js';
const BASELINE = 'bench/baseline-archive-server.mjs';
const PATH = '/symposiums/archive';
const HEADERS = { 'accept-language': 'en' };
/** Service req/s at least this share of the baseline's. Reported, never enforced. */
const TARGET_RATIO = 0.8;

const log = progressLogger(NAME);
let options;
const readOptions = () => {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    quick,
    connections: intOption('BENCH_CONNECTIONS', quick ? 20 : 100),
    warmupSeconds: intOption('BENCH_WARMUP_SECONDS', quick ? 1 : 3),
    sliceSeconds: intOption('BENCH_SLICE_SECONDS', quick ? 1 : 2),
    rounds: intOption('BENCH_ROUNDS', quick ? 2 : 8),
    extraSymposiums: intOption('BENCH_SYMPOSIUMS', 40),
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
  const database = await prepareDatabase();
  const targets = await startTargets(database.url);
  const responseBytes = await checkSameAnswer(targets);
  await measure(targets);
  report(targets, { started, machine, database, responseBytes });
}

/** The seed plus made-up past symposiums (some with Japanese titles only) and their documents. */
async function prepareDatabase() {
  log('creating and migrating a throwaway database');
  const database = await createBenchDatabase();
  const { db } = database;
  await seed(db);
  log(`adding ${options.extraSymposiums} generated past symposiums with documents`);
  for (let i = 0; i < options.extraSymposiums; i++) {
    const jaOnly = i % 4 === 0;
    const { id } = await db
      .insertInto('symposium.symposium')
      .values({
        edition: 100 + i,
        titleEn: jaOnly ? null : `Past Partnership Symposium ${i + 1}`,
        titleJa: `第${i + 1}回 過去のシンポジウム`,
        heldOn: `${1970 + i}-03-10`,
        campus: ['hongo', 'komaba', 'kashiwa'][i % 3],
        venueEn: i % 2 ? 'Koshiba Hall' : null,
        venueJa: '小柴ホール',
        format: 'in-person',
        status: i % 3 ? 'report-published' : 'held',
        participants: 80 + i,
        participantsQualifier: 'about',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('symposium.document')
      .values(
        ['report', 'announcement', 'slides'].map((kind, position) => ({
          symposiumId: id,
          kind,
          language: position === 1 ? 'ja' : 'en',
          title: position === 1 ? null : `${kind} ${i + 1}`,
          titleJa: `資料 ${i + 1}-${position}`,
          url: `https://www.u-tokyo.ac.jp/archive/${i + 1}/${kind}.pdf`,
          published: position < 2 || i % 2 === 0,
          position,
        })),
      )
      .execute();
  }
  await sql`analyze symposium.symposium`.execute(db);
  await sql`analyze symposium.document`.execute(db);
  await database.close();
  database.symposiums = 7 + options.extraSymposiums;
  database.postgres = await postgresVersion();
  return database;
}

async function startTargets(databaseUrl) {
  const common = { DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: String(options.poolMax) };
  log('starting the baseline (plain Fastify + pg)');
  const targets = [
    {
      key: 'baseline',
      label: 'baseline (Fastify + pg)',
      server: await startServer({
        name: 'baseline-archive',
        args: [BASELINE],
        env: common,
        readyPath: '/health/ready',
      }),
    },
  ];
  log('starting the symposium service (LOG_LEVEL=info)');
  targets.push({
    key: 'service',
    label: 'service (LOG_LEVEL=info)',
    server: await startServer({
      name: 'symposium',
      args: [SERVICE_MAIN],
      env: {
        ...common,
        LOG_LEVEL: 'info',
        NODE_ENV: 'development',
        // One address makes all the load: keep the limiter's work, drop its refusals.
        RATE_LIMIT_PUBLIC_PER_MINUTE: String(1e9),
      },
      readyPath: '/health/ready',
    }),
  });
  return targets;
}

/** Both answer 200 with the same bytes and the same Content-Language, or nothing is measured. */
async function checkSameAnswer(targets) {
  log(`checking that every server answers ${PATH} with the same body`);
  const answers = [];
  for (const { label, server } of targets) {
    const response = await fetch(server.url + PATH, { headers: HEADERS });
    const body = await response.text();
    if (response.status !== 200)
      throw new BenchFailure(`${label} answered ${response.status}: ${body.slice(0, 500)}`);
    answers.push({ label, body, language: response.headers.get('content-language') });
  }
  const [reference, ...others] = answers;
  for (const other of others) {
    if (other.language !== reference.language)
      throw new BenchFailure(
        `Content-Language differs: ${reference.label} ${reference.language}, ${other.label} ${other.language}`,
      );
    if (other.body === reference.body) continue;
    let at = 0;
    while (reference.body[at] === other.body[at]) at++;
    const around = (s) => JSON.stringify(s.slice(Math.max(0, at - 80), at + 80));
    throw new BenchFailure(
      `${other.label} and ${reference.label} answer different bodies (first difference at ` +
        `character ${at}):\n  ${reference.label}: …${around(reference.body)}…\n  ${other.label}: …${around(other.body)}…`,
    );
  }
  const items = JSON.parse(reference.body).items.length;
  const bytes = Buffer.byteLength(reference.body);
  log(
    `all answer the same ${bytes} bytes (${items} symposiums, Content-Language ${reference.language})`,
  );
  return bytes;
}

/** Slices taking turns, the order rotating every round: see http-read.mjs measure() for why. */
async function measure(targets) {
  const { rounds, warmupSeconds, sliceSeconds, connections } = options;
  for (const target of targets) {
    log(`warming up ${target.label}: ${warmupSeconds} s, ${connections} connections`);
    const warmup = await loadTest({
      url: target.server.url + PATH,
      connections,
      seconds: warmupSeconds,
      headers: HEADERS,
    });
    if (!warmup.ok) fail(target, warmup, 'during warm-up');
    target.slices = [];
    target.latencies = [];
    // Each connection's first answer apart, as in http-read (see loadTest).
    target.firstLatencies = [];
    // The server's own CPU over its slices (and what it finishes after each), per request:
    // steadier than req/s on a shared host, whose other work moves both servers' throughput.
    target.cpuSeconds = 0;
  }
  for (let round = 1; round <= rounds; round++) {
    const order = turnOrder(targets, round);
    for (const target of order) {
      const slice = await measuredSlice(target, () =>
        loadTest({
          url: target.server.url + PATH,
          connections,
          seconds: sliceSeconds,
          headers: HEADERS,
          latencies: target.latencies,
          firstLatencies: target.firstLatencies,
        }),
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

function report(targets, { started, machine, database, responseBytes }) {
  const service = targets[1];
  const met = service.ratio >= TARGET_RATIO;
  const rows = [
    ['', 'req/s', 'p50 ms', 'p99 ms', 'p99 first ms', 'CPU ms/req', 'service/baseline'],
  ];
  for (const t of targets)
    rows.push([
      t.label,
      t.reqPerSec,
      t.latencyMs.p50.toFixed(1),
      t.latencyMs.p99.toFixed(1),
      t.firstLatencyMs.p99.toFixed(1),
      Number.isNaN(t.cpuMsPerRequest) ? '?' : t.cpuMsPerRequest.toFixed(2),
      t.ratio === undefined ? '' : t.ratio.toFixed(2),
    ]);
  process.stdout.write(
    `\n${NAME}: GET ${PATH} (${database.symposiums} symposiums, ${responseBytes} bytes), ` +
      `${options.connections} connections, ${options.rounds} × ${options.sliceSeconds} s per server` +
      `${options.quick ? ' (quick)' : ''}\n\n${formatTable(rows)}\n\n` +
      `ratio service / baseline: ${service.ratio.toFixed(2)} — target ≥ ${TARGET_RATIO}: ${met ? 'met' : 'NOT met'}\n` +
      (Number.isNaN(service.cpuRatio)
        ? ''
        : `cross-check, CPU per request baseline / service: ${service.cpuRatio.toFixed(2)}\n`),
  );
  const file = writeResults(NAME, {
    benchmark: NAME,
    description:
      'GET /symposiums/archive (English reader) on the symposium service vs the same two ' +
      'queries and mapping on plain Fastify + pg; closed-loop load with autocannon.',
    date: started.toISOString(),
    machine: { ...machine, postgres: database.postgres },
    parameters: {
      ...options,
      endpoint: PATH,
      symposiumsInDatabase: database.symposiums,
      responseBytes,
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
