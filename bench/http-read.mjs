// http-read: how fast the partner-registry service serves a list page, compared with the same
// request served by plain Fastify + pg (baseline-server.mjs) and, with BENCH_NEST_BASELINE=1,
// by NestJS on Fastify + pg without the platform (baseline-nest-server.mjs). The ratio service/baseline is the
// share of raw capacity left after everything the service adds (Nest, guards, validation,
// logging, request ids, metrics, Kysely); the baseline keeps it honest about what "raw" means.
//
// Steps: a throwaway database (migrated, seeded, plus generated partners so a 50-row page is
// full) and a staff token → the baseline and the service (once per log level) as child
// processes, waited for until ready → a check that they all answer the very same bytes → a
// warm-up each, then closed-loop load with autocannon in short slices, the servers taking turns
// (see measure()) → a table and bench/results/http-read.json. The database, the signing key and
// the servers are removed however the run ends (success, failure, Ctrl-C).
//
// Run through bench/run.mjs (`npm run bench`), or alone after a build:
//   node_modules/.bin/node bench/http-read.mjs
// Options, from the environment (defaults in brackets):
//   BENCH_QUICK [unset]                  1: a smoke run (20 connections, 2 rounds of 1 s, 200
//                                        partners; the ratio then says little)
//   BENCH_CONNECTIONS [100]              concurrent connections
//   BENCH_WARMUP_SECONDS [3]             load per server before measuring, not counted
//   BENCH_SLICE_SECONDS [2]              one measured slice
//   BENCH_ROUNDS [8]                     slices per server (one per round)
//   BENCH_PARTNERS [2000]                generated partners on top of the seed
//   BENCH_POOL_MAX [10]                  Postgres pool size of every server
//   BENCH_NEST_BASELINE [unset]          1: also measure baseline-nest-server.mjs (the same
//                                        work through NestJS on Fastify, without the
//                                        platform), which splits the gap into what the
//                                        framework costs and what the platform adds. A third
//                                        server lowers every ratio a little (see below), so
//                                        it is off for the committed runs
//   BENCH_BASELINE_TIMESTAMPS [default]  postgres-date-2: the baseline parses timestamps as the
//                                        services do (lib/baseline-pool.mjs)
//   BENCH_SERVICE_LOG_LEVELS [info]      one service process per LOG_LEVEL; the ratio target
//                                        applies to the first (production logs at info).
//                                        `info,warn` adds a run without request logging; with
//                                        three servers every ratio came out lower (see
//                                        bench/README.md), so compare levels within one run
//                                        only
//   BENCH_CPU_PROF [unset]               a directory: profile every server with --cpu-prof
//   BENCH_LOAD_PROFILE [unset]           a directory: profile CPU and allocations of the
//                                        measured load only (bench/profile-summary.mjs)
//   BENCH_DATABASE_URL                   the Postgres server
//                                        [postgres://postgres@127.0.0.1:5432/postgres]

import { seed } from '@sp/db';
import { loadDevKey, mintDevStaffToken } from '@sp/platform/dev';
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanUpOnSignals, onCleanup } from './lib/cleanup.mjs';
import {
  BenchFailure,
  intOption,
  listOption,
  progressLogger,
  quickRun,
  requireBuilt,
  hundredths,
  requireProjectNode,
} from './lib/common.mjs';
import { createBenchDatabase, postgresVersion } from './lib/database.mjs';
import { generatePartners } from './lib/fixtures.mjs';
import { describeFailures, loadTest, median, percentiles, turnOrder } from './lib/load.mjs';
import { runBenchmark } from './lib/main.mjs';
import { measuredSlice, startServer } from './lib/processes.mjs';
import { formatTable, machineInfo, writeResults } from './lib/report.mjs';

const NAME = 'http-read';
const SERVICE_MAIN = 'apps/partner-registry/dist/main.js';
const BASELINE = 'bench/baseline-server.mjs';
const NEST_BASELINE = 'bench/baseline-nest-server.mjs';
const PAGE_SIZE = 50;
const PATH = `/partners?limit=${PAGE_SIZE}`;
/** Service req/s at least this share of the baseline's. Reported, never enforced. */
const TARGET_RATIO = 0.9;
/** Service p99 at most this multiple of the baseline's (issue 13). Reported, never enforced. */
const TARGET_P99_RATIO = 1.25;
const INSERT_BATCH = 500;
/** The service's default AUTH_AUDIENCE, given to every server explicitly so they all agree. */
const AUDIENCE = 'strategic-partnerships';

const log = progressLogger(NAME);

/** Read in main(), so a bad value is reported like any other failure. */
let options;
const readOptions = () => ({
  quick: quickRun,
  connections: intOption('BENCH_CONNECTIONS', quickRun ? 20 : 100),
  warmupSeconds: intOption('BENCH_WARMUP_SECONDS', quickRun ? 1 : 3),
  sliceSeconds: intOption('BENCH_SLICE_SECONDS', quickRun ? 1 : 2),
  rounds: intOption('BENCH_ROUNDS', quickRun ? 2 : 8),
  extraPartners: intOption('BENCH_PARTNERS', quickRun ? 200 : 2000),
  poolMax: intOption('BENCH_POOL_MAX', 10),
  serviceLogLevels: listOption('BENCH_SERVICE_LOG_LEVELS', ['info']),
  nestBaseline: process.env.BENCH_NEST_BASELINE === '1',
  cpuProfileDir: process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined,
});

async function main() {
  requireProjectNode();
  options = readOptions();
  requireBuilt(SERVICE_MAIN);
  cleanUpOnSignals(log);
  const started = new Date();
  const machine = machineInfo();

  const database = await prepareDatabase();
  const auth = await prepareAuth();
  const targets = await startTargets(database.url, auth);
  const responseBytes = await checkSameAnswer(targets, auth.headers);
  await measure(targets, auth.headers);
  report(targets, { started, machine, database, responseBytes });
}

/** A fresh database: migrated, seeded, plus generated partners, with fresh planner statistics. */
async function prepareDatabase() {
  log('creating and migrating a throwaway database');
  const database = await createBenchDatabase();
  log(`database ${database.name}: seeding, plus ${options.extraPartners} generated partners`);
  const { db } = database;
  await seed(db);
  const partners = generatePartners(options.extraPartners);
  for (let i = 0; i < partners.length; i += INSERT_BATCH) {
    await db
      .insertInto('registry.partner')
      .values(partners.slice(i, i + INSERT_BATCH))
      .execute();
  }
  // Autovacuum would get to it eventually; the plan should not depend on when.
  await sql`analyze registry.partner`.execute(db);
  const { n } = await db
    .selectFrom('registry.partner')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  await database.close();
  database.partners = Number(n);
  database.postgres = await postgresVersion();
  return database;
}

/**
 * `GET /partners` needs a staff token (`viewer` or above). The benchmark signs its own with a
 * development key of its own, in a throwaway file (not the shared var/dev-auth key), which the
 * servers verify every request with, as they would in development.
 */
async function prepareAuth() {
  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-auth-'));
  onCleanup('remove the signing key', () => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'staff-key.json');
  const key = await loadDevKey(keyFile);
  const token = await mintDevStaffToken(key, { sub: 'bench', role: 'viewer', audience: AUDIENCE });
  return { keyFile, headers: { authorization: `Bearer ${token}` } };
}

/** The baseline and one service process per log level, each ready to take load. */
async function startTargets(databaseUrl, auth) {
  const common = {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: String(options.poolMax),
    AUTH_DEV_KEY_FILE: auth.keyFile,
    AUTH_AUDIENCE: AUDIENCE,
    // The development token issuer is refused in production; NODE_ENV changes nothing else in
    // how a request is served.
    NODE_ENV: 'development',
  };
  // With BENCH_CPU_PROF, every server writes <dir>/<key>.cpuprofile when it stops.
  const profile = (key) =>
    options.cpuProfileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${options.cpuProfileDir}`,
          `--cpu-prof-name=${key}.cpuprofile`,
        ]
      : [];
  const targets = [];
  log('starting the baseline (plain Fastify + pg)');
  targets.push({
    key: 'baseline',
    label: 'baseline (Fastify + pg)',
    server: await startServer({
      name: 'baseline',
      args: [...profile('baseline'), BASELINE],
      env: common,
      readyPath: '/health/ready',
    }),
  });
  if (options.nestBaseline) {
    log('starting the Nest baseline (NestJS on Fastify + pg, no platform)');
    targets.push({
      key: 'baseline-nest',
      label: 'Nest baseline (Nest + Fastify + pg)',
      server: await startServer({
        name: 'baseline-nest',
        args: [...profile('baseline-nest'), NEST_BASELINE],
        env: common,
        readyPath: '/health/ready',
      }),
    });
  }
  for (const level of options.serviceLogLevels) {
    log(`starting the service with LOG_LEVEL=${level}`);
    const key = `service-${level}`;
    targets.push({
      key,
      label: `service (LOG_LEVEL=${level})`,
      logLevel: level,
      server: await startServer({
        name: `partner-registry (${level})`,
        args: [...profile(key), SERVICE_MAIN],
        env: {
          ...common,
          LOG_LEVEL: level,
          // All the load comes from one address, which the per-address limit on public routes
          // would turn into 429s within a second. Raising the limit keeps the limiter's work (a
          // Redis round trip per request, as in production) and drops only the refusals.
          RATE_LIMIT_PUBLIC_PER_MINUTE: String(1e9),
        },
        readyPath: '/health/ready',
      }),
    });
  }
  return targets;
}

/**
 * Before measuring anything: every target answers 200 with a full page and a next cursor, and
 * the baseline's body is byte for byte the service's. If they differed, one would be doing
 * different work and the ratio would mean nothing.
 */
async function checkSameAnswer(targets, headers) {
  log(`checking that every server answers ${PATH} with the same body`);
  const bodies = [];
  for (const { label, server } of targets) {
    const response = await fetch(server.url + PATH, { headers });
    const body = await response.text();
    if (response.status !== 200) {
      throw new BenchFailure(`${label} answered ${response.status}: ${body.slice(0, 500)}`);
    }
    const page = JSON.parse(body);
    if (page.items.length !== PAGE_SIZE || !page.nextCursor) {
      throw new BenchFailure(
        `${label} answered ${page.items.length} items and nextCursor ${page.nextCursor}: ` +
          `expected a full page of ${PAGE_SIZE} and a cursor (is the data loaded?)`,
      );
    }
    bodies.push({ label, body });
  }
  const [reference, ...others] = bodies;
  for (const other of others) {
    if (other.body === reference.body) continue;
    let at = 0;
    while (reference.body[at] === other.body[at]) at++;
    const around = (s) => JSON.stringify(s.slice(Math.max(0, at - 80), at + 80));
    throw new BenchFailure(
      `${other.label} and ${reference.label} answer different bodies (first difference at ` +
        `character ${at}):\n  ${reference.label}: …${around(reference.body)}…\n  ${other.label}: …${around(other.body)}…`,
    );
  }
  const bytes = Buffer.byteLength(reference.body);
  log(`all answer the same ${bytes} bytes (${PAGE_SIZE} partners and a cursor)`);
  return bytes;
}

/**
 * How the measuring is arranged, and why. The host swings between fast and slow states (about
 * 2×, for seconds at a time: other work shares its 2 cores), far more than the difference being
 * measured, so contiguous runs of 10 s per server compare the host's moods more than the
 * servers. Instead, after one warm-up per server, the measured time is cut into short slices and
 * the servers take turns, slice by slice, each round starting one server further on (A B C,
 * B C A, C A B, …: `turnOrder`), so none systematically gets a slot; after each slice the server
 * is left to finish what the slice left in flight before the next starts (`settle`). With the
 * order flipped every round instead, the middle server of three never followed itself and came
 * out about 0.1 better than the same service in an outer slot (both levels measured in turn,
 * 2026-12-03). Then:
 *   - the ratio is the median over rounds of (service slice req/s / baseline slice req/s in the
 *     same round): the two slices of a pair ran seconds apart, under nearly the same conditions,
 *     so swings slower than a slice cancel out, and the median ignores the pairs a swing split;
 *   - each server's req/s is the median of its slices (a plain median, so it still moves with
 *     the host's state: compare ratios between runs, not absolute req/s);
 *   - p50 and p99 are over every measured request on an open connection, all slices pooled;
 *     the p99 ratio, like the req/s ratio, is the median over rounds of the two slices' p99s.
 *     Each slice opens its connections afresh, and each connection's first answer is counted
 *     apart (its own p99 column): a saturated server accepts one new connection per event-loop
 *     turn (see loadTest), so those first answers wait up to seconds in every server, the
 *     baseline too. Pooled in, they were the whole top 1% (every one of the slowest answers in a
 *     slice was a first request), and the p99 ratio measured how fast each server accepted a
 *     burst of 100 connections 8 times a run rather than how long a request takes;
 *   - CPU ms per request is the server process's CPU time over its slices divided by the
 *     requests it answered. It leaves out time spent waiting for a core, so it cross-checks the
 *     ratio by another route (a server that keeps one core busy does about 1000 / that many
 *     req/s); when the two ratios disagree, suspect the measurement before the servers.
 * What this cannot remove is the servers' own costs changing with the host's load (a bigger
 * process suffers more from shared caches): the ratio still moves between runs, see README.md.
 * Every slice is kept in the results file, so the spread is visible.
 */
async function measure(targets, headers) {
  const { rounds, warmupSeconds, sliceSeconds, connections } = options;
  for (const target of targets) {
    const { label, server } = target;
    log(`warming up ${label}: ${warmupSeconds} s, ${connections} connections`);
    const warmup = await loadTest({
      url: server.url + PATH,
      connections,
      seconds: warmupSeconds,
      headers,
    });
    if (!warmup.ok) fail(target, warmup, 'during warm-up');
    target.slices = [];
    target.latencies = [];
    target.firstLatencies = [];
    target.cpuSeconds = 0;
  }
  for (const { server } of targets) server.startLoadProfile();
  log(`measuring: ${rounds} rounds of ${sliceSeconds} s per server, taking turns`);
  for (let round = 1; round <= rounds; round++) {
    const order = turnOrder(targets, round);
    for (const target of order) {
      const latencies = [];
      const firstLatencies = [];
      // What the slice left in flight is served before the next one starts, and counted here.
      const slice = await measuredSlice(target, () =>
        loadTest({
          url: target.server.url + PATH,
          connections,
          seconds: sliceSeconds,
          headers,
          latencies,
          firstLatencies,
        }),
      );
      if (!slice.ok) fail(target, slice, `in round ${round}`);
      // autocannon's own percentiles count the first answers in; these do not.
      slice.latencyMs = percentiles(latencies, [50, 99]);
      slice.firstLatencyMs = percentiles(firstLatencies, [50, 99]);
      target.slices.push({ round, ...slice });
      target.latencies.push(...latencies);
      target.firstLatencies.push(...firstLatencies);
    }
    const line = targets.map((t) => `${t.label} ${t.slices.at(-1).reqPerSec}`).join(' · ');
    log(`round ${round}/${rounds}: ${line} req/s`);
  }

  const [baseline, ...services] = targets;
  for (const target of targets) {
    target.reqPerSec = Math.round(median(target.slices.map((slice) => slice.reqPerSec)));
    target.latencyMs = percentiles(target.latencies, [50, 90, 99]);
    target.firstLatencyMs = percentiles(target.firstLatencies, [50, 99]);
    target.requests = target.latencies.length + target.firstLatencies.length;
    delete target.latencies;
    delete target.firstLatencies;
    // NaN off Linux (no /proc): reported as unknown.
    target.cpuMsPerRequest = hundredths((target.cpuSeconds * 1000) / target.requests);
  }
  for (const service of services) {
    service.roundRatios = service.slices.map((slice, i) =>
      hundredths(slice.reqPerSec / baseline.slices[i].reqPerSec),
    );
    service.ratio = hundredths(median(service.roundRatios));
    // The tail the same way: each round's p99 against the baseline's p99 in that round. The p99
    // over all slices pooled follows the host's slowest seconds (a slow slice of either server
    // holds most of its top 1%); the per-round ratio compares like with like.
    service.p99RoundRatios = service.slices.map((slice, i) =>
      hundredths(slice.latencyMs.p99 / baseline.slices[i].latencyMs.p99),
    );
    service.p99Ratio = hundredths(median(service.p99RoundRatios));
    // The same comparison by CPU time per request, for a server bound by its one core.
    service.cpuRatio = hundredths(baseline.cpuMsPerRequest / service.cpuMsPerRequest);
  }
}

function fail(target, summary, when) {
  throw new BenchFailure(
    `${target.label} failed ${when}: ${describeFailures(summary)} out of ${summary.requests} requests.\n` +
      `Its last output:\n${target.server.tail(15)}`,
  );
}

function report(targets, { started, machine, database, responseBytes }) {
  // Everything after the baseline is compared with it (the Nest baseline too); the targets
  // are the service's.
  const [, ...services] = targets;
  const headline = services.find((target) => target.logLevel !== undefined);
  const met = headline.ratio >= TARGET_RATIO;

  const rows = [
    [
      '',
      'req/s',
      'p50 ms',
      'p99 ms',
      'p99 first ms',
      'CPU ms/req',
      'service/baseline',
      'p99 service/baseline',
      'slices: min–max req/s',
    ],
  ];
  for (const target of targets) {
    const perSlice = target.slices.map((slice) => slice.reqPerSec);
    rows.push([
      target.label,
      target.reqPerSec,
      target.latencyMs.p50.toFixed(1),
      target.latencyMs.p99.toFixed(1),
      target.firstLatencyMs.p99.toFixed(1),
      Number.isNaN(target.cpuMsPerRequest) ? '?' : target.cpuMsPerRequest.toFixed(2),
      target.ratio === undefined ? '' : target.ratio.toFixed(2),
      target.p99Ratio === undefined ? '' : target.p99Ratio.toFixed(2),
      `${Math.min(...perSlice)}–${Math.max(...perSlice)}`,
    ]);
  }
  process.stdout.write(
    `\n${NAME}: GET ${PATH}, ${options.connections} connections, ${options.rounds} × ` +
      `${options.sliceSeconds} s per server${options.quick ? ' (quick)' : ''} ` +
      `(medians; ratio = median of per-round ratios)\n\n` +
      `${formatTable(rows)}\n\n` +
      `ratio ${headline.label} / baseline: ${headline.ratio.toFixed(2)} — target ≥ ${TARGET_RATIO}: ` +
      `${met ? 'met' : 'NOT met'}\n` +
      services
        .map(
          (service) =>
            `p99 ${service.label} / baseline (median of per-round ratios): ` +
            `${service.p99Ratio.toFixed(2)}` +
            (service.logLevel === undefined
              ? '\n'
              : ` — target ≤ ${TARGET_P99_RATIO}: ` +
                `${service.p99Ratio <= TARGET_P99_RATIO ? 'met' : 'NOT met'}\n`),
        )
        .join('') +
      (Number.isNaN(headline.cpuRatio)
        ? ''
        : `cross-check, CPU per request baseline / service: ${headline.cpuRatio.toFixed(2)}\n`),
  );

  const file = writeResults(NAME, {
    benchmark: NAME,
    description:
      'GET /partners?limit=50 (first page, keyset order by nameEn) on the partner-registry ' +
      'service vs the same query on plain Fastify + pg' +
      (options.nestBaseline ? ' (and on NestJS + Fastify + pg, without the platform)' : '') +
      '; closed-loop load with autocannon.',
    date: started.toISOString(),
    machine: { ...machine, postgres: database.postgres },
    parameters: {
      quick: options.quick,
      endpoint: PATH,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      rounds: options.rounds,
      sliceSeconds: options.sliceSeconds,
      method:
        "servers take turns in slices, each round starting one server further on, each server left to finish its slice's requests in flight before the next; req/s = median of slices; " +
        'latency percentiles over all measured requests on open connections (each ' +
        "connection's first request apart); ratios = median of per-round ratios",
      databasePoolMax: options.poolMax,
      partnersInDatabase: database.partners,
      responseBytes,
    },
    results: targets.map((target) => ({
      key: target.key,
      label: target.label,
      ...(target.logLevel ? { logLevel: target.logLevel } : {}),
      reqPerSec: target.reqPerSec,
      latencyMs: target.latencyMs,
      firstRequestLatencyMs: target.firstLatencyMs,
      requests: target.requests,
      cpuMsPerRequest: Number.isNaN(target.cpuMsPerRequest) ? null : target.cpuMsPerRequest,
      ...(target.ratio === undefined
        ? {}
        : {
            ratio: target.ratio,
            roundRatios: target.roundRatios,
            p99Ratio: target.p99Ratio,
            p99RoundRatios: target.p99RoundRatios,
            cpuRatio: Number.isNaN(target.cpuRatio) ? null : target.cpuRatio,
          }),
      // Only runs without a failed request get this far, so `ok` would say nothing.
      slices: target.slices.map((slice) => ({ ...slice, ok: undefined })),
    })),
    ratio: {
      definition: `req/s of ${headline.label} / req/s of the baseline, median of per-round ratios`,
      value: headline.ratio,
      target: TARGET_RATIO,
      met,
      cpuCrossCheck: Number.isNaN(headline.cpuRatio) ? null : headline.cpuRatio,
    },
  });
  log(`results written to ${file}`);
}

await runBenchmark(NAME, main, { log, cleaningUp: 'stopping servers, dropping the database' });
