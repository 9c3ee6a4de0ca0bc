// report-small: many small reports, as a member of staff asking for monthly inquiry statistics
// makes them: `inquiry-statistics` of one Tokyo month (`{ from, to }` the same month, the months
// taken in turn over two years of inquiries), as CSV, each to a file of its own
// (`reports/bench/<n>.csv` in a temp storage dir), built exactly as the worker builds them: its
// `ChildReportRunner` (apps/worker/dist/reports/build/report-runner.js) with the worker's config
// defaults (`configSchema.parse({})`), `closures: []`, `progressMs: 250`, REPORTS_CONCURRENCY (2)
// builds at once. A build reads about 20 inquiries and writes 11 rows: its cost is the builder
// process's, not the report's.
// Candidate: the runner with the worker's default builder reuse (REPORT_BUILDER_IDLE_MS,
// REPORT_BUILDER_REUSE_MAX_MB, at most REPORTS_CONCURRENCY idle): a builder that built well
// takes the next build. Baseline, in the same run: the same runner without `reuse`, a process per
// build (the worker before reuse). Each round runs both sides one after the other, the first side
// alternating (baseline first in round 1, candidate first in round 2, …), each side with a runner
// of its own closed at its end (`runner.close()`), so a candidate round starts with no builder,
// as a worker does after a quiet spell. One unmeasured build (a process of its own) warms up first.
// Printed per side, over all rounds: builds/s (builds ÷ time from the first request to the last
// result) and the ratio candidate ÷ baseline (pooled; each round's ratio is in the results file),
// p50/p99 of a build (`runner.run` to its result), CPU ms per build — of the builder processes'
// whole lives (start-up, builds, exit: the times of this process's reaped children, cutime +
// cstime of /proc/self/stat, so Linux only), of the builds alone as the builders report them
// (`result.memory.cpuMs`: request to result, without a process's start-up) and of this process
// (forks, IPC, the bookkeeping) — the distinct builder pids, and the largest peak RSS a build
// reported (a reused builder's includes its earlier builds'). Postgres' CPU is left out: every
// build opens a connection of its own on both sides. Every file is checked to exist, be non-empty
// and to have the same bytes as every other build of its month (every build gets the same `now`):
// a benchmark fails only when it cannot run, or the builds disagree; no time is asserted.
//
// Run through bench/run.mjs, or alone after a build:
//   node_modules/.bin/node bench/report-small.mjs
// Options, from the environment (defaults in brackets):
//   BENCH_QUICK [unset]                1: 20 builds per side, one round
//   BENCH_REPORT_BUILDS [200]          builds per side, split evenly over the rounds
//   BENCH_REPORT_ROUNDS [2]            rounds (quick: 1)
//   BENCH_REPORT_CONCURRENCY [2]       builds at once (the worker's REPORTS_CONCURRENCY default;
//                                      also the candidate's most idle builders, as in the worker)
//   BENCH_INQUIRIES [480]              inquiries, spread over 2024-01 … 2025-12 (Tokyo months)
//   BENCH_DATABASE_URL                 the Postgres server
//                                      [postgres://postgres@127.0.0.1:5432/postgres]

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { cleanUpOnSignals, onCleanup } from './lib/cleanup.mjs';
import {
  BenchFailure,
  hundredths,
  intOption,
  progressLogger,
  repoRoot,
  requireBuilt,
  requireProjectNode,
  sleep,
} from './lib/common.mjs';
import { createBenchDatabase, postgresVersion } from './lib/database.mjs';
import { percentiles } from './lib/load.mjs';
import { runBenchmark } from './lib/main.mjs';
import { clockTicks } from './lib/processes.mjs';
import { formatTable, machineInfo, writeResults } from './lib/report.mjs';

const NAME = 'report-small';
const RUNNER = 'apps/worker/dist/reports/build/report-runner.js';
const CHILD = 'apps/worker/dist/reports/build/report-child.js';
const CONFIG = 'apps/worker/dist/config.js';
const quick = process.env.BENCH_QUICK === '1';
const log = progressLogger(NAME);

/** 2024-01 … 2025-12: the months the inquiries fall in, and the reports ask for in turn. */
const MONTHS = Array.from(
  { length: 24 },
  (_, i) => `${2024 + Math.floor(i / 12)}-${String(1 + (i % 12)).padStart(2, '0')}`,
);

/**
 * `count` inquiries spread evenly over the 24 months (Tokyo time), all categories and states: a
 * quarter new, a quarter answered, half answered and resolved; every 25th merged into the one
 * before (left out of the figures), every 7th with a first-response SLA breach.
 */
async function fillInquiries(db, count) {
  await sql`
    insert into inquiries.inquiry (reference, reference_year, reference_number, state, category,
      name, email, language, subject, status_token_hash, created_at, first_response_at, resolved_at)
    select 'INQ-' || y || '-' || lpad(g::text, 6, '0'), y, g,
           (array['new', 'open', 'resolved', 'resolved'])[1 + g % 4],
           (array['partnership-proposal', 'symposium', 'mobility', 'media', 'other'])[1 + g % 5],
           'Bench Inquirer ' || g, 'inquirer-' || g || '@example.org',
           (array['en', 'ja'])[1 + g % 2], 'Question ' || g, md5('sp-bench-' || g), at,
           case when g % 4 > 0 then at + (1 + g % 30) * interval '1 hour' end,
           case when g % 4 > 1 then at + (1 + g % 10) * interval '1 day' end
      from generate_series(1, ${count}::int) g,
           lateral (select timestamptz '2024-01-01 00:00:00+09'
                           + ((g - 0.5) / ${count}) * interval '731 days' as at) t,
           lateral (select extract(year from at at time zone 'Asia/Tokyo')::int as y) r`.execute(
    db,
  );
  await sql`
    update inquiries.inquiry i set merged_into_id = p.id, state = 'closed'
      from inquiries.inquiry p
     where i.reference_number % 25 = 0 and p.reference_number = i.reference_number - 1`.execute(db);
  await sql`
    insert into inquiries.sla_breach (inquiry_id, kind, due_at, detected_at, notified)
    select id, 'first-response', created_at + interval '8 hours', created_at + interval '9 hours',
           'desk@example.org'
      from inquiries.inquiry where reference_number % 7 = 0`.execute(db);
  await sql`analyze inquiries.inquiry`.execute(db);
  await sql`analyze inquiries.sla_breach`.execute(db);
}

/**
 * CPU seconds of this process's children that have ended and been reaped (cutime + cstime of
 * /proc/self/stat: a child's whole life, counted once it is gone); undefined off Linux.
 */
function reapedChildrenCpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    // After the ")" closing the command name: cutime and cstime are fields 13 and 14 (from 0).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / clockTicks;
  } catch {
    return undefined;
  }
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits until every builder has exited and been reaped (so its CPU time is counted). */
async function allGone(pids) {
  const deadline = Date.now() + 15_000;
  while ([...pids].some(alive)) {
    if (Date.now() > deadline) {
      throw new BenchFailure(
        `builders ${[...pids].filter(alive).join(', ')} still run 15 s after runner.close()`,
      );
    }
    await sleep(20);
  }
}

async function main() {
  requireProjectNode();
  requireBuilt(RUNNER);
  requireBuilt(CHILD);
  requireBuilt(CONFIG);
  cleanUpOnSignals(log);
  const { ChildReportRunner } = await import(join(repoRoot, RUNNER));
  const { configSchema } = await import(join(repoRoot, CONFIG));
  const defaults = configSchema.parse({});
  const rounds = intOption('BENCH_REPORT_ROUNDS', quick ? 1 : 2);
  const perRound = Math.ceil(intOption('BENCH_REPORT_BUILDS', quick ? 20 : 200) / rounds);
  const concurrency = intOption('BENCH_REPORT_CONCURRENCY', defaults.REPORTS_CONCURRENCY);
  const inquiries = intOption('BENCH_INQUIRIES', 480);
  const reuse = {
    idleMs: defaults.REPORT_BUILDER_IDLE_MS,
    maxPeakMb: defaults.REPORT_BUILDER_REUSE_MAX_MB,
    maxIdle: concurrency,
  };
  const options = {
    quick,
    buildsPerSide: perRound * rounds,
    rounds,
    concurrency,
    inquiries,
    months: `${MONTHS[0]} … ${MONTHS.at(-1)}`,
    maxOldSpaceMb: defaults.REPORT_BUILDER_MAX_OLD_SPACE_MB,
    semiSpaceMb: defaults.REPORT_BUILDER_SEMI_SPACE_MB ?? 'per format (csv: 4)',
    reuse,
  };
  log(`options: ${JSON.stringify(options)}`);

  const database = await createBenchDatabase();
  await fillInquiries(database.db, inquiries);
  await database.close();
  log(`${inquiries} inquiries over ${MONTHS.length} months`);

  const dir = mkdtempSync(join(tmpdir(), 'sp-bench-report-small-'));
  onCleanup('remove the report files', () => rmSync(dir, { recursive: true, force: true }));
  // Every runner still open is closed however the run ends (its idle builders would otherwise
  // keep a connection to the database being dropped, until their idle time ran out).
  const open = new Set();
  onCleanup('close the report runners', () => {
    for (const runner of open) runner.close();
  });
  const newRunner = (withReuse) => {
    const runner = new ChildReportRunner({
      databaseUrl: database.url,
      storageDir: dir,
      closures: [],
      progressMs: 250,
      maxOldSpaceMb: defaults.REPORT_BUILDER_MAX_OLD_SPACE_MB,
      semiSpaceMb: defaults.REPORT_BUILDER_SEMI_SPACE_MB, // unset: per format, as the worker
      ...(withReuse ? { reuse } : {}),
    });
    open.add(runner);
    return runner;
  };

  // One `now` for every build, so two builds of a month write the same bytes.
  const now = new Date().toISOString();
  let n = 0;
  const shaOfMonth = new Map();
  const nextJob = () => {
    const month = MONTHS[n % MONTHS.length];
    n += 1;
    return {
      kind: 'inquiry-statistics',
      params: { from: month, to: month },
      format: 'csv',
      key: `reports/bench/${n}.csv`,
      now,
      audience: 'staff',
    };
  };
  const listener = { estimate: () => undefined, rows: () => undefined };

  /** Checks the file a build wrote: there, not empty, and the same as its month's others. */
  const check = (job, result) => {
    let size;
    try {
      size = statSync(join(dir, job.key)).size;
    } catch {
      throw new BenchFailure(`${job.key}: no file after the build reported it written`);
    }
    if (size === 0 || size !== result.size) {
      throw new BenchFailure(`${job.key}: ${size} bytes on disk, the build said ${result.size}`);
    }
    const month = job.params.from;
    const sha = shaOfMonth.get(month) ?? result.sha256;
    if (sha !== result.sha256) {
      throw new BenchFailure(`${job.key}: ${month} built twice gave different files`);
    }
    shaOfMonth.set(month, sha);
  };

  /** `builds` builds, `concurrency` at once, on a runner of its own, closed at the end. */
  const slice = async (side, builds) => {
    const runner = newRunner(side === 'candidate');
    const jobs = Array.from({ length: builds }, nextJob);
    const latencies = [];
    const pids = new Set();
    let inBuildMs = 0;
    let peakMb = 0;
    const childCpuBefore = reapedChildrenCpuSeconds();
    const ownBefore = process.cpuUsage();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < jobs.length) {
          const job = jobs[next++];
          const asked = performance.now();
          let result;
          try {
            result = await runner.run(job, listener);
            latencies.push(performance.now() - asked);
            check(job, result);
          } catch (error) {
            next = jobs.length; // the other builds in flight end; no more start
            throw error;
          }
          pids.add(result.memory.pid);
          inBuildMs += result.memory.cpuMs;
          peakMb = Math.max(peakMb, result.memory.peakBytes / 2 ** 20);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    runner.close();
    open.delete(runner);
    await allGone(pids);
    const own = process.cpuUsage(ownBefore);
    const childCpuAfter = reapedChildrenCpuSeconds();
    return {
      side,
      builds,
      seconds,
      latencies,
      pids: [...pids],
      inBuildMs,
      peakMb,
      buildersCpuSeconds: childCpuBefore === undefined ? undefined : childCpuAfter - childCpuBefore,
      ownCpuSeconds: (own.user + own.system) / 1e6,
    };
  };

  log('warm-up: one build in a process of its own (not measured)');
  await slice('baseline', 1);

  const slices = { baseline: [], candidate: [] };
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
    for (const side of order) {
      const s = await slice(side, perRound);
      slices[side].push(s);
      log(
        `round ${round}/${rounds} ${side}: ${perRound} builds in ${s.seconds.toFixed(1)} s, ` +
          `${s.pids.length} builder processes`,
      );
    }
  }

  const summarize = (list) => {
    const builds = list.reduce((sum, s) => sum + s.builds, 0);
    const seconds = list.reduce((sum, s) => sum + s.seconds, 0);
    const buildersCpu = list.some((s) => s.buildersCpuSeconds === undefined)
      ? undefined
      : list.reduce((sum, s) => sum + s.buildersCpuSeconds, 0);
    return {
      builds,
      seconds: hundredths(seconds),
      buildsPerSecond: hundredths(builds / seconds),
      latencyMs: percentiles(
        list.flatMap((s) => s.latencies),
        [50, 99],
      ),
      cpuMsPerBuild: {
        builders: buildersCpu === undefined ? null : hundredths((1000 * buildersCpu) / builds),
        inBuild: hundredths(list.reduce((sum, s) => sum + s.inBuildMs, 0) / builds),
        runner: hundredths((1000 * list.reduce((sum, s) => sum + s.ownCpuSeconds, 0)) / builds),
      },
      builderPids: new Set(list.flatMap((s) => s.pids)).size,
      builderPidsPerRound: list.map((s) => s.pids.length),
      peakRssMb: Math.round(Math.max(...list.map((s) => s.peakMb))),
      rounds: list.map((s) => ({
        builds: s.builds,
        seconds: hundredths(s.seconds),
        buildsPerSecond: hundredths(s.builds / s.seconds),
      })),
    };
  };
  const baseline = summarize(slices.baseline);
  const candidate = summarize(slices.candidate);
  const ratio = hundredths(candidate.buildsPerSecond / baseline.buildsPerSecond);
  const roundRatios = candidate.rounds.map((c, i) =>
    hundredths(c.buildsPerSecond / baseline.rounds[i].buildsPerSecond),
  );

  const row = (label, r, ratioCell) => [
    label,
    r.builds,
    r.seconds.toFixed(1),
    r.buildsPerSecond.toFixed(2),
    ratioCell,
    r.latencyMs.p50.toFixed(0),
    r.latencyMs.p99.toFixed(0),
    r.cpuMsPerBuild.builders === null ? 'unknown' : r.cpuMsPerBuild.builders.toFixed(0),
    r.cpuMsPerBuild.inBuild.toFixed(0),
    r.cpuMsPerBuild.runner.toFixed(1),
    r.builderPids,
    `${r.peakRssMb} MB`,
  ];
  const table = [
    [
      '',
      'builds',
      'seconds',
      'builds/s',
      'ratio',
      'p50 ms',
      'p99 ms',
      'CPU ms/build: builders',
      'in build',
      'runner',
      'builder pids',
      'peak RSS',
    ],
    row('baseline: a process per build', baseline, ''),
    row('candidate: builders reused', candidate, `${ratio.toFixed(2)}×`),
  ];
  process.stdout.write(`\n${formatTable(table)}\n`);
  process.stdout.write(
    `ratio per round: ${roundRatios.map((r) => `${r.toFixed(2)}×`).join(', ')}; ` +
      `builder processes per round: baseline ${baseline.builderPidsPerRound.join(', ')}, ` +
      `candidate ${candidate.builderPidsPerRound.join(', ')}\n` +
      'CPU ms/build: builders = the builder processes, whole lives (start-up included); ' +
      'in build = what the builds report (no start-up); runner = this process. A candidate ' +
      "round's first builds start its builders: its p99 is theirs when they are 1 % or more\n",
  );
  writeResults(NAME, {
    machine: machineInfo(),
    postgres: await postgresVersion(),
    options,
    baseline,
    candidate,
    ratio,
    roundRatios,
  });
}

await runBenchmark(NAME, main, {
  log,
  cleaningUp: 'closing the runners, dropping the database, removing the files',
});
