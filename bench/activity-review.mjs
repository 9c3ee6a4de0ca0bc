// activity-review: how fast the partner registry takes a partner's activity report through its
// review, compared with plain Fastify + pg running the same transactions
// (baseline-activity-server.mjs). One report is three requests, in order, on one connection:
//   1. POST /activities                the partner's client (`activities:write`): a `draft`;
//   2. POST /activities/{id}/submit    the same client sends it for review: `submitted`;
//   3. POST /activities/{id}/approve   a member of staff approves it: `approved`.
// Each is a transaction writing the activity, an audit row and an outbox row. The ratio
// service/baseline (reports per second) is the share of raw capacity left after everything the
// service adds (Nest, the token checks and the partner's access check, zod, logging, Kysely).
//
// Steps: a throwaway database (migrated) with one partner → a signing key of the run's own for
// staff tokens → the service (relay off: QUEUES_ENABLED=false, so neither server moves outbox
// rows while measured), an API client for the partner made through it and exchanged for a
// partner token → the baseline, told which partner and client it stands for → a check that both
// take one report through the three steps with the same answers and write the same rows → a
// warm-up each, then closed-loop load in short slices, the servers taking turns (as in
// http-read) → a table and bench/results/activity-review.json.
//
// Run through bench/run.mjs (`npm run bench`), or alone after a build:
//   node_modules/.bin/node bench/activity-review.mjs
// Options, from the environment (defaults in brackets; BENCH_QUICK=1 for a quick run):
//   BENCH_CONNECTIONS [50]      concurrent connections, each taking reports through in turn
//   BENCH_WARMUP_SECONDS [3|1]  load per server before measuring, not counted
//   BENCH_SLICE_SECONDS [2|1]   one measured slice
//   BENCH_ROUNDS [8|2]          slices per server (one per round)
//   BENCH_POOL_MAX [10]         Postgres pool size of every server
//   BENCH_SERVICE_LOG_LEVEL [warn] the service's LOG_LEVEL
//   BENCH_CPU_PROF [unset]      a directory: profile both servers with --cpu-prof
//   BENCH_DATABASE_URL          the Postgres server [postgres://postgres@127.0.0.1:5432/postgres]

import { loadDevKey, mintDevStaffToken } from '@sp/platform/dev';
import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanUpOnSignals, onCleanup } from './lib/cleanup.mjs';
import {
  BenchFailure,
  intOption,
  progressLogger,
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

const NAME = 'activity-review';
const SERVICE_MAIN = 'apps/partner-registry/dist/main.js';
const BASELINE = 'bench/baseline-activity-server.mjs';
/** Service reports/s at least this share of the baseline's. Reported, never enforced. */
const TARGET_RATIO = 0.8;
/** The service's default AUTH_AUDIENCE, given to it explicitly so the tokens agree. */
const AUDIENCE = 'strategic-partnerships';
const STAFF_SUB = 'bench-reviewer';
const STEPS = ['create', 'submit', 'approve'];
const REPORT = JSON.stringify({
  type: 'joint-research',
  titleEn: 'Joint research on coastal resilience',
  titleJa: '沿岸レジリエンスに関する共同研究',
  summaryEn: 'Two laboratories compare storm-surge models and exchange doctoral students. '
    .repeat(3)
    .trim(),
  departments: ['Graduate School of Engineering', 'Atmosphere and Ocean Research Institute'],
  leads: ['Prof. Sato', 'Dr. Lindqvist'],
  startsOn: '2026-04-01',
  endsOn: '2027-03-31',
  status: 'ongoing',
  isPublic: true,
  links: [{ label: 'Project page', url: 'https://example.ac.jp/coastal' }],
  outputs: {
    papers: [{ title: 'Storm surges in Tokyo Bay', year: 2026 }],
    events: [{ title: 'Kick-off workshop', date: '2026-05-12' }],
    studentsInvolved: 4,
  },
});

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
    logLevel: process.env.BENCH_SERVICE_LOG_LEVEL || 'warn',
    cpuProfileDir: process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined,
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
  const [partner] = await database.db
    .insertInto('registry.partner')
    .values(generatePartners(1))
    .returning(['id', 'nameEn'])
    .execute();
  const targets = await startTargets(database.url, partner);
  await checkSameWork(targets, database.db);
  await database.close();
  await measure(targets);
  report(targets, { started, machine, postgres: await postgresVersion() });
}

const profile = (key) =>
  options.cpuProfileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${key}.cpuprofile`]
    : [];

async function startTargets(databaseUrl, partner) {
  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-auth-'));
  onCleanup('remove the signing key', () => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'staff-key.json');
  const key = await loadDevKey(keyFile);
  const staffToken = (role) => mintDevStaffToken(key, { sub: STAFF_SUB, role, audience: AUDIENCE });
  const common = { DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: String(options.poolMax) };

  log(`starting the partner registry (LOG_LEVEL=${options.logLevel})`);
  const service = await startServer({
    name: 'partner-registry',
    args: [...profile('service'), SERVICE_MAIN],
    env: {
      ...common,
      NODE_ENV: 'development',
      LOG_LEVEL: options.logLevel,
      AUTH_DEV_KEY_FILE: keyFile,
      AUTH_AUDIENCE: AUDIENCE,
      // Both servers write the outbox; neither relays it during the measurement.
      QUEUES_ENABLED: 'false',
    },
    readyPath: '/health/ready',
  });
  log(`an API client for ${partner.nameEn} with activities:write, and its token`);
  const client = await call(service.url, 'POST', `/partners/${partner.id}/clients`, {
    token: await staffToken('admin'),
    body: { name: 'Bench reporting client', scopes: ['activities:write'] },
    expect: 201,
  });
  const partnerToken = await exchange(service.url, client.client.id, client.clientSecret);

  log('starting the baseline (plain Fastify + pg)');
  const baseline = await startServer({
    name: 'activity-baseline',
    args: [...profile('baseline'), BASELINE],
    env: {
      ...common,
      BENCH_PARTNER_ID: partner.id,
      BENCH_CLIENT_ID: client.client.id,
      BENCH_STAFF_SUB: STAFF_SUB,
    },
    readyPath: '/health/ready',
  });
  const tokens = { partner: partnerToken, staff: await staffToken('staff') };
  return [
    { key: 'baseline', label: 'baseline (Fastify + pg)', server: baseline, tokens },
    { key: 'service', label: `service (LOG_LEVEL=${options.logLevel})`, server: service, tokens },
  ];
}

/** One JSON request for the setup; fails the run unless it answers `expect`. */
async function call(base, method, path, { token, body, headers = {}, expect }) {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expect) {
    throw new BenchFailure(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return { ...JSON.parse(text), etag: response.headers.get('etag') };
}

/** The client's credentials for a partner token at `POST /oauth/token` (client_credentials). */
async function exchange(base, clientId, secret) {
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  const body = await response.json();
  if (response.status !== 200) {
    throw new BenchFailure(
      `POST /oauth/token answered ${response.status}: ${JSON.stringify(body)}`,
    );
  }
  return body.access_token;
}

/** The three requests of one report, as the load sends them (`id` from the first answer). */
function steps(tokens) {
  const json = { 'content-type': 'application/json' };
  const partner = { authorization: `Bearer ${tokens.partner}` };
  const staff = { authorization: `Bearer ${tokens.staff}` };
  return [
    { method: 'POST', path: '/activities', headers: { ...partner, ...json }, body: REPORT },
    {
      method: 'POST',
      path: (id) => `/activities/${id}/submit`,
      headers: { ...partner, 'if-match': '*' },
    },
    {
      method: 'POST',
      path: (id) => `/activities/${id}/approve`,
      headers: { ...staff, ...json, 'if-match': '*' },
      body: '{}',
    },
  ];
}

/** Both take one report through the three steps with the same answers and the same rows. */
async function checkSameWork(targets, db) {
  log('checking that both servers do the same work for one report');
  const tables = ['registry.activity', 'registry.audit_log', 'registry.outbox'];
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
  for (const { label, server, tokens } of targets) {
    const before = await counts();
    let id;
    const answers = [];
    for (const [i, step] of steps(tokens).entries()) {
      const path = typeof step.path === 'function' ? step.path(id) : step.path;
      const response = await fetch(server.url + path, {
        method: step.method,
        headers: step.headers,
        body: step.body,
      });
      const text = await response.text();
      if (response.status !== (i === 0 ? 201 : 200)) {
        throw new BenchFailure(
          `${label}: ${STEPS[i]} answered ${response.status}: ${text.slice(0, 500)}`,
        );
      }
      const activity = JSON.parse(text);
      id ??= activity.id;
      // Everything but the ids and times, which differ from one report to the next.
      const stable = Object.fromEntries(
        Object.entries(activity).filter(([k]) => !/(^id|At|partnerNameEn)$/.test(k)),
      );
      answers.push(
        `${response.status} etag ${response.headers.get('etag')} ${JSON.stringify(stable)} ` +
          `times ${['reviewedAt', 'submittedAt', 'publishedAt'].map((k) => (activity[k] ? k : '-')).join(',')}`,
      );
    }
    const after = await counts();
    const written = Object.fromEntries(tables.map((t) => [t, after[t] - before[t]]));
    // What the rows hold, not only how many: the activity's filled columns, each audit row's
    // action, actor and recorded fields, each event's name and payload fields.
    const keysOf = (value) =>
      value && typeof value === 'object' ? Object.keys(value).sort().join('+') : String(value);
    const activity = (await sql`select * from registry.activity where id = ${id}`.execute(db))
      .rows[0];
    const filled = Object.keys(activity)
      .filter((column) => activity[column] !== null)
      .sort()
      .join(',');
    const audit = (
      await sql`select * from registry.audit_log where entity_id = ${id} order by id`.execute(db)
    ).rows.map(
      (r) =>
        `${r.entity}:${r.action}:${r.actorKind}:${r.actorId !== null}:${r.requestId !== null}` +
        `:${keysOf(r.before)}:${keysOf(r.after)}`,
    );
    const events = (
      await sql`select name, payload from registry.outbox where payload->>'id' = ${id} order by name`.execute(
        db,
      )
    ).rows.map((r) => `${r.name}(${keysOf(r.payload)})`);
    shapes.push({
      label,
      answers,
      written: JSON.stringify(written),
      events: events.join(','),
      rows: `activity ${filled}; audit ${audit.join(' ')}`,
    });
  }
  const [a, b] = shapes;
  for (const [i, step] of STEPS.entries()) {
    if (a.answers[i] !== b.answers[i]) {
      throw new BenchFailure(
        `the servers answer ${step} differently:\n  ${a.label}: ${a.answers[i]}\n  ${b.label}: ${b.answers[i]}`,
      );
    }
  }
  if (a.written !== b.written || a.events !== b.events || a.rows !== b.rows) {
    throw new BenchFailure(
      `the servers write different rows:\n  ${a.label}: ${a.written} ${a.events} ${a.rows}\n  ${b.label}: ${b.written} ${b.events} ${b.rows}`,
    );
  }
  log(`both answer the same and write ${a.written} (${a.events})`);
}

/**
 * One slice of load: every connection takes reports through the three steps, one after the
 * other. Returns the slice's summary with reports/s (approvals answered per second); pushes
 * each step's response times, and each whole report's (first request sent to approval
 * answered), into `latencies`.
 */
async function loadSlice(target, seconds, latencies) {
  const sequence = steps(target.tokens).map((step, i) => ({
    method: step.method,
    headers: step.headers,
    ...(step.body === undefined ? {} : { body: step.body }),
    ...(typeof step.path === 'string'
      ? { path: step.path }
      : {
          // The id from the create's answer; without one (a failed create, already counted
          // as a non-2xx) the sequence starts over.
          setupRequest: (request, context) =>
            context.id ? { ...request, path: step.path(context.id) } : undefined,
        }),
    ...(i === 0
      ? {
          onResponse: (status, body, context) => {
            if (status === 201) context.id = JSON.parse(body).id;
          },
        }
      : {}),
  }));
  const startedAt = new WeakMap();
  // Each connection's first answer, and the report it starts, are counted apart, as in
  // http-read: a busy server accepts one new connection per event-loop turn (see loadTest), so
  // those first answers measure a burst of connections, not a report.
  const opened = new WeakSet();
  let reports = 0;
  const summary = await loadTest({
    url: target.server.url,
    connections: options.connections,
    seconds,
    requests: sequence,
    onResponse: (client, _status, responseTime) => {
      const step = client.requestIterator.currentRequestIndex;
      if (!latencies) {
        if (step === 2) reports++;
        return;
      }
      const first = !opened.has(client);
      if (first) {
        opened.add(client);
        latencies.first.push(responseTime);
      } else {
        latencies[STEPS[step]].push(responseTime);
      }
      // A report whose create was its connection's first answer has no start: not timed.
      if (step === 0) {
        if (first) startedAt.delete(client);
        else startedAt.set(client, performance.now() - responseTime);
      }
      if (step === 2) {
        reports++;
        const start = startedAt.get(client);
        if (start !== undefined) latencies.report.push(performance.now() - start);
      }
    },
  });
  return { ...summary, reports, reportsPerSec: Math.round(reports / summary.seconds) };
}

/** Servers take turns in short slices, the order rotating every round (see http-read.mjs). */
async function measure(targets) {
  const { rounds, warmupSeconds, sliceSeconds, connections } = options;
  for (const target of targets) {
    log(`warming up ${target.label}: ${warmupSeconds} s, ${connections} connections`);
    const warmup = await loadSlice(target, warmupSeconds);
    if (!warmup.ok) fail(target, warmup, 'during warm-up');
    target.slices = [];
    target.latencies = { create: [], submit: [], approve: [], report: [], first: [] };
    target.cpuSeconds = 0;
  }
  log(`measuring: ${rounds} rounds of ${sliceSeconds} s per server, taking turns`);
  for (let round = 1; round <= rounds; round++) {
    const order = turnOrder(targets, round);
    for (const target of order) {
      // What the slice left in flight is served before the next one starts, and counted here.
      const slice = await measuredSlice(target, () =>
        loadSlice(target, sliceSeconds, target.latencies),
      );
      if (!slice.ok) fail(target, slice, `in round ${round}`);
      target.slices.push({ round, ...slice });
    }
    log(
      `round ${round}/${rounds}: ${targets.map((t) => `${t.label} ${t.slices.at(-1).reportsPerSec}`).join(' · ')} reports/s`,
    );
  }
  const [baseline, service] = targets;
  for (const target of targets) {
    target.reportsPerSec = Math.round(median(target.slices.map((s) => s.reportsPerSec)));
    target.reports = target.slices.reduce((sum, s) => sum + s.reports, 0);
    target.latencyMs = Object.fromEntries(
      Object.entries(target.latencies).map(([k, v]) => [k, percentiles(v, [50, 90, 99])]),
    );
    delete target.latencies;
    target.cpuMsPerReport = hundredths((target.cpuSeconds * 1000) / target.reports);
  }
  service.roundRatios = service.slices.map((s, i) =>
    hundredths(s.reportsPerSec / baseline.slices[i].reportsPerSec),
  );
  service.ratio = hundredths(median(service.roundRatios));
  service.cpuRatio = hundredths(baseline.cpuMsPerReport / service.cpuMsPerReport);
}

function fail(target, summary, when) {
  throw new BenchFailure(
    `${target.label} failed ${when}: ${describeFailures(summary)} out of ${summary.requests} requests.\n` +
      `Its last output:\n${target.server.tail(15)}`,
  );
}

function report(targets, { started, machine, postgres }) {
  const [baseline, service] = targets;
  const met = service.ratio >= TARGET_RATIO;
  const ms = (t, k, p) => t.latencyMs[k][p].toFixed(1);
  const rows = [
    [
      '',
      'reports/s',
      'report p50/p99 ms',
      ...STEPS.map((s) => `${s} p50/p99 ms`),
      'p99 first ms',
      'CPU ms/report',
      'service/baseline',
    ],
  ];
  for (const t of targets) {
    rows.push([
      t.label,
      t.reportsPerSec,
      `${ms(t, 'report', 'p50')} / ${ms(t, 'report', 'p99')}`,
      ...STEPS.map((s) => `${ms(t, s, 'p50')} / ${ms(t, s, 'p99')}`),
      ms(t, 'first', 'p99'),
      Number.isNaN(t.cpuMsPerReport) ? '?' : t.cpuMsPerReport.toFixed(2),
      t.ratio === undefined ? '' : t.ratio.toFixed(2),
    ]);
  }
  const p99Ratio = hundredths(service.latencyMs.report.p99 / baseline.latencyMs.report.p99);
  process.stdout.write(
    `\n${NAME}: POST /activities → /submit → /approve, ${options.connections} connections, ` +
      `${options.rounds} × ${options.sliceSeconds} s per server${options.quick ? ' (quick)' : ''}\n\n` +
      `${formatTable(rows)}\n\n` +
      `ratio service / baseline (reports/s): ${service.ratio.toFixed(2)} — target ≥ ${TARGET_RATIO}: ${met ? 'met' : 'NOT met'}\n` +
      `report p99, service / baseline: ${p99Ratio.toFixed(2)}\n` +
      (Number.isNaN(service.cpuRatio)
        ? ''
        : `cross-check, CPU per report baseline / service: ${service.cpuRatio.toFixed(2)}\n`),
  );
  const file = writeResults(NAME, {
    benchmark: NAME,
    description:
      "A partner's activity report through review (POST /activities by the partner's client, " +
      'POST /activities/{id}/submit, POST /activities/{id}/approve by staff) on the partner ' +
      'registry vs the same transactions on plain Fastify + pg; closed-loop load with autocannon.',
    date: started.toISOString(),
    machine: { ...machine, postgres },
    parameters: {
      endpoints: [
        'POST /activities',
        'POST /activities/{id}/submit',
        'POST /activities/{id}/approve',
      ],
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      rounds: options.rounds,
      sliceSeconds: options.sliceSeconds,
      quick: options.quick,
      databasePoolMax: options.poolMax,
      serviceLogLevel: options.logLevel,
      method:
        'servers take turns in slices, the order rotating every round, each server settling after its slice; reports/s = median of slices; ' +
        'latency percentiles over all measured requests (per step) and reports (first request ' +
        'sent to approval answered); ratio = median of per-round ratios',
    },
    results: targets.map((t) => ({
      key: t.key,
      label: t.label,
      reportsPerSec: t.reportsPerSec,
      reports: t.reports,
      latencyMs: t.latencyMs,
      cpuMsPerReport: Number.isNaN(t.cpuMsPerReport) ? null : t.cpuMsPerReport,
      ...(t.ratio === undefined
        ? {}
        : { ratio: t.ratio, roundRatios: t.roundRatios, reportP99Ratio: p99Ratio }),
      slices: t.slices.map((s) => ({ ...s, ok: undefined })),
    })),
    ratio: {
      definition:
        'reports/s of the service / reports/s of the baseline, median of per-round ratios',
      value: service.ratio,
      target: TARGET_RATIO,
      met,
      cpuCrossCheck: Number.isNaN(service.cpuRatio) ? null : service.cpuRatio,
    },
  });
  log(`results written to ${file}`);
}

await runBenchmark(NAME, main, { log, cleaningUp: 'stopping servers, dropping the database' });
