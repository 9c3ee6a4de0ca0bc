// Runs the benchmarks in bench/, one after the other, each in a process of its own (so one
// cannot leave timers, sockets or global state behind for the next, and each can also be run
// alone). Exits non-zero when a benchmark fails to run; a slow result is not a failure, since
// nothing here asserts a timing.
//
//   npm run bench                                  build everything, then run them all
//   node_modules/.bin/node bench/run.mjs http-read run only the named ones (after a build)
//   node_modules/.bin/node bench/run.mjs --quick   every benchmark cut short (BENCH_QUICK=1), its
//                                                  results in a temporary folder, not
//                                                  bench/results/: a smoke run proving each one
//                                                  still works (`npm test` runs it), whose
//                                                  numbers mean little
//
// To add a benchmark: write bench/<name>.mjs (exit code 0 when it ran, non-zero when it could
// not; see http-read.mjs and the helpers in bench/lib/), then list it below.

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchFailure, benchDir, requireProjectNode } from './lib/common.mjs';

const benchmarks = [
  {
    name: 'http-read',
    summary: 'GET /partners?limit=50: the service against plain Fastify + pg',
  },
  {
    name: 'search',
    summary: 'GET /search over 100,000 activities and 10,000 people: p50/p99 against a pk lookup',
  },
  {
    name: 'archive-read',
    summary: 'GET /symposiums/archive: the public archive against plain Fastify + pg',
  },
  {
    name: 'inquiry-submit',
    summary: 'POST /inquiries: the service against plain Fastify + pg running the same transaction',
  },
  {
    name: 'activity-review',
    summary:
      "a partner's activity report through review (create, submit, approve): the service against plain Fastify + pg",
  },
  {
    name: 'csv-transfer',
    summary:
      'CSV export of activities and import of activities, against a bare COPY (and pg-cursor) / pg inserts',
  },
  {
    name: 'queue-email',
    summary:
      'email.send from outbox rows through the worker to SMTP, against bare BullMQ + nodemailer',
  },
  {
    name: 'report-formats',
    summary:
      'XLSX and CSV report writers on a 1,000,000-row detail section: rows/s and peak RSS against csv-stringify',
  },
  {
    name: 'report-build',
    summary:
      'fiscal-year report over 1,000,000 activity and 1,000,000 mobility rows, per format, against a bare pg cursor + csv-stringify',
  },
  {
    name: 'report-small',
    summary:
      'monthly inquiry statistics as CSV, many small builds 2 at once: builder processes reused against a process per build',
  },
  {
    name: 'registration-burst',
    summary:
      '200 concurrent registrations for 50 seats on one symposium: the service against plain Fastify + pg',
  },
];

function select(names) {
  if (names.length === 0) return benchmarks;
  const unknown = names.filter((name) => !benchmarks.some((b) => b.name === name));
  if (unknown.length) {
    throw new BenchFailure(
      `unknown benchmark ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`,
    );
  }
  return benchmarks.filter((b) => names.includes(b.name));
}

/** Runs one benchmark script; resolves with its exit code (128 + n when killed by a signal). */
function runOne({ name }, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(benchDir, `${name}.mjs`)], {
      stdio: 'inherit',
      env,
    });
    current = child;
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : 15));
    });
  });
}

let current;
let interrupted;

// Ctrl-C reaches the benchmark too (same process group) and it cleans up after itself: wait for
// it rather than exiting under it. A SIGTERM sent to this process alone is passed on.
process.on('SIGINT', () => {
  interrupted = 'SIGINT';
});
process.on('SIGTERM', () => {
  interrupted = 'SIGTERM';
  current?.kill('SIGTERM');
});

async function main() {
  requireProjectNode();
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const selected = select(args.filter((arg) => arg !== '--quick'));
  const env = { ...process.env };
  if (quick) {
    env.BENCH_QUICK = '1';
    env.BENCH_RESULTS_DIR ||= mkdtempSync(join(tmpdir(), 'sp-bench-quick-'));
    process.stdout.write(`quick run: results in ${env.BENCH_RESULTS_DIR}\n`);
  }
  const outcomes = [];
  for (const benchmark of selected) {
    process.stdout.write(`\n=== ${benchmark.name}: ${benchmark.summary}\n\n`);
    const started = performance.now();
    const code = await runOne(benchmark, env);
    const seconds = Math.round((performance.now() - started) / 1000);
    outcomes.push({ name: benchmark.name, code, seconds });
    if (interrupted) break;
  }

  process.stdout.write('\n=== benchmarks\n');
  for (const { name, code, seconds } of outcomes) {
    const outcome = code === 0 ? 'ran    ' : code === 130 || code === 143 ? 'stopped' : 'FAILED ';
    process.stdout.write(`${outcome}  ${name} (${seconds} s)\n`);
  }
  if (interrupted) {
    process.stdout.write(`interrupted (${interrupted}); the rest did not run\n`);
    process.exitCode = interrupted === 'SIGINT' ? 130 : 143;
  } else if (outcomes.some((o) => o.code !== 0)) {
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench: ${error instanceof BenchFailure ? error.message : error.stack}\n`);
  process.exitCode = 1;
}
