// registration-burst: 200 people register for one symposium at the same moment (capacity 50).
// The symposium service decides each sign-up under its settings row's lock, so the burst is
// served one decision at a time; this measures how long people wait (p50/p99) and how long the
// whole burst takes, against a plain Fastify + pg baseline (baseline-registration-server.mjs)
// doing the same statements, measured in the same run. Every burst is checked: exactly
// `capacity` confirmed and the rest waitlisted, in arrival order, else the benchmark fails.
//
// Run through bench/run.mjs (`npm run bench`), or alone after a build:
//   node_modules/.bin/node bench/registration-burst.mjs
// Options, from the environment (defaults in brackets):
//   BENCH_QUICK [unset]          1: one round (a smoke run, ~20 s)
//   BENCH_ROUNDS [5]             bursts per server, the servers taking turns
//   BENCH_PEOPLE [200]           registrations per burst, all sent at once
//   BENCH_CAPACITY [50]          seats per symposium
//   BENCH_POOL_MAX [20]          Postgres pool size of both servers
//   BENCH_DATABASE_URL           the Postgres server [postgres://postgres@127.0.0.1:5432/postgres]

import { loadDevKey, mintDevStaffToken } from '@sp/platform/dev';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUpOnSignals, onCleanup } from './lib/cleanup.mjs';
import {
  BenchFailure,
  intOption,
  progressLogger,
  requireBuilt,
  requireProjectNode,
} from './lib/common.mjs';
import { createBenchDatabase, postgresVersion } from './lib/database.mjs';
import { median, percentiles } from './lib/load.mjs';
import { runBenchmark } from './lib/main.mjs';
import { startServer } from './lib/processes.mjs';
import { formatTable, machineInfo, writeResults } from './lib/report.mjs';

const NAME = 'registration-burst';
const SERVICE_MAIN = 'apps/symposium/dist/main.js';
const BASELINE = 'bench/baseline-registration-server.mjs';
const AUDIENCE = 'strategic-partnerships';

const log = progressLogger(NAME);
let options;
const readOptions = () => {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    quick,
    rounds: quick ? 1 : intOption('BENCH_ROUNDS', 5),
    people: intOption('BENCH_PEOPLE', 200),
    capacity: intOption('BENCH_CAPACITY', 50),
    poolMax: intOption('BENCH_POOL_MAX', 20),
  };
};

async function main() {
  requireProjectNode();
  options = readOptions();
  requireBuilt(SERVICE_MAIN);
  cleanUpOnSignals(log);
  const started = new Date();
  log('creating and migrating a throwaway database');
  const database = await createBenchDatabase();
  const auth = await prepareAuth();
  const targets = await startTargets(database.url, auth.keyFile);
  let day = 0;
  for (let round = 0; round < options.rounds; round++) {
    // Turns alternate, so neither server always meets the host in the same state.
    const order = round % 2 ? [...targets].reverse() : targets;
    for (const target of order) {
      const symposiumId = await newSymposium(database.db, ++day);
      const burst = await runBurst(target, symposiumId, auth.headers);
      await checkBurst(database.db, symposiumId, target.label);
      target.bursts.push(burst);
      log(
        `round ${round + 1}/${options.rounds} ${target.label}: ${burst.ms.toFixed(0)} ms for ${options.people}`,
      );
    }
  }
  await database.close();
  report(targets, { started, postgres: await postgresVersion() });
}

async function prepareAuth() {
  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-auth-'));
  onCleanup('remove the signing key', () => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'staff-key.json');
  const key = await loadDevKey(keyFile);
  const token = await mintDevStaffToken(key, { sub: 'bench', role: 'staff', audience: AUDIENCE });
  return { keyFile, headers: { authorization: `Bearer ${token}` } };
}

async function startTargets(databaseUrl, keyFile) {
  const env = {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: String(options.poolMax),
    AUTH_DEV_KEY_FILE: keyFile,
    AUTH_AUDIENCE: AUDIENCE,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    // The outbox rows are written either way; relaying them is another benchmark (queue-email).
    QUEUES_ENABLED: 'false',
  };
  log('starting the baseline (plain Fastify + pg)');
  const baseline = await startServer({
    name: 'registration-baseline',
    args: [BASELINE],
    env,
    readyPath: '/health/ready',
  });
  log('starting the symposium service');
  const service = await startServer({
    name: 'symposium',
    args: [SERVICE_MAIN],
    env,
    readyPath: '/health/ready',
  });
  return [
    { key: 'baseline', label: 'baseline (Fastify + pg)', server: baseline, bursts: [] },
    { key: 'service', label: 'symposium service', server: service, bursts: [] },
  ];
}

/** A symposium of its own per burst, open for registration, with `capacity` seats. */
async function newSymposium(db, day) {
  const heldOn = new Date(Date.UTC(2200, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
  const { id } = await db
    .insertInto('symposium.symposium')
    .values({ titleEn: `Bench symposium ${day}`, heldOn, status: 'registration-open' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('symposium.registrationSettings')
    .values({
      symposiumId: id,
      capacity: options.capacity,
      opensAt: new Date(Date.now() - 3_600_000),
      closesAt: new Date(Date.now() + 86_400_000),
    })
    .execute();
  return id;
}

/** Sends every registration at once; the latency of each and the wall time of the whole. */
async function runBurst(target, symposiumId, headers) {
  const url = `${target.server.url}/symposiums/${symposiumId}/registrations`;
  const latencies = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: options.people }, async (_, i) => {
      const sent = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Person ${i}`, email: `person${i}@example.org` }),
      });
      const body = await response.text();
      if (response.status !== 201)
        throw new BenchFailure(
          `${target.label} answered ${response.status}: ${body.slice(0, 300)}`,
        );
      latencies.push(performance.now() - sent);
    }),
  );
  return { ms: performance.now() - t0, latencies };
}

/** Exactly `capacity` confirmed, the rest waitlisted, every confirmed one before every waiting one. */
async function checkBurst(db, symposiumId, label) {
  const rows = await db
    .selectFrom('symposium.registration')
    .select('status')
    .where('symposiumId', '=', symposiumId)
    .orderBy('seq')
    .execute();
  const confirmed = rows.filter((r) => r.status === 'confirmed').length;
  const inOrder = rows.every((r, i) => i < options.capacity === (r.status === 'confirmed'));
  if (rows.length !== options.people || confirmed !== options.capacity || !inOrder)
    throw new BenchFailure(
      `${label}: ${rows.length} registrations, ${confirmed} confirmed (expected ${options.people} and exactly ${options.capacity}, in arrival order)`,
    );
}

function report(targets, { started, postgres }) {
  const summary = targets.map((t) => {
    const all = t.bursts.flatMap((b) => b.latencies);
    const { p50, p99 } = percentiles(all, [50, 99]);
    return { ...t, p50, p99, burstMs: median(t.bursts.map((b) => b.ms)) };
  });
  const [baseline, service] = summary;
  // Per round: baseline burst time / service burst time (1.0 = as fast as the baseline).
  const roundRatios = baseline.bursts.map((b, i) => b.ms / service.bursts[i].ms);
  const ratio = median(roundRatios);
  process.stdout.write(
    `\n${formatTable([
      ['server', 'burst ms (median)', 'p50 ms', 'p99 ms', 'confirmed/burst'],
      ...summary.map((s) => [
        s.label,
        s.burstMs.toFixed(0),
        s.p50.toFixed(1),
        s.p99.toFixed(1),
        `${options.capacity} of ${options.people}`,
      ]),
    ])}\n\nservice/baseline (burst throughput, median of ${roundRatios.length} rounds): ${ratio.toFixed(2)}\n`,
  );
  const file = writeResults(NAME, {
    benchmark: NAME,
    started: started.toISOString(),
    machine: machineInfo(),
    postgres,
    options,
    targets: summary.map((s) => ({
      key: s.key,
      label: s.label,
      burstMs: s.bursts.map((b) => Math.round(b.ms)),
      p50Ms: Math.round(s.p50 * 10) / 10,
      p99Ms: Math.round(s.p99 * 10) / 10,
    })),
    ratio: {
      definition: 'baseline burst time / service burst time, median of per-round ratios',
      value: Math.round(ratio * 100) / 100,
      roundRatios: roundRatios.map((r) => Math.round(r * 100) / 100),
    },
  });
  log(`results written to ${file}`);
}

await runBenchmark(NAME, main, { log, cleaningUp: 'stopping servers, dropping the database' });
