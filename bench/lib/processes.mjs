// HTTP servers under test, each in a child process of its own: started on a free port, waited
// for until ready, and always stopped (SIGTERM, then SIGKILL) when the benchmark ends.

import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { onCleanup } from './cleanup.mjs';
import { BenchFailure, repoRoot, sleep } from './common.mjs';

// A loaded machine (CI beside other work) can take a while to start a Nest app.
const READY_TIMEOUT_MS = Number(process.env.BENCH_READY_TIMEOUT_MS ?? 90_000);
/** A little over the service's own shutdown deadline (SHUTDOWN_TIMEOUT_MS, 8 s by default). */
const STOP_TIMEOUT_MS = 10_000;

let keepLogs = process.env.BENCH_KEEP_LOGS === '1';

/**
 * Node options for every server a benchmark starts (services and baselines alike), added to
 * their NODE_OPTIONS: BENCH_SERVER_NODE_OPTIONS, e.g. `--max-semi-space-size=16` to measure
 * a heap setting against the default. Unset, the servers run as `npm start` and the image run
 * them: on Node's default heap sizes (README.md, Performance, says why), with pretenuring off
 * (set by the services themselves, and by the baselines through v8-runtime.mjs).
 */
export const serverNodeOptions = process.env.BENCH_SERVER_NODE_OPTIONS?.trim() ?? '';

/**
 * BENCH_LOAD_PROFILE=<dir>: every server preloads load-profile.mjs, which profiles CPU (and
 * allocations, with BENCH_LOAD_PROFILE_HEAP=1) from `server.startLoadProfile()` (a benchmark
 * calls it when its warm-up is over) until the server stops, and writes
 * <dir>/<server name>.{cpuprofile,heapprofile,json};
 * `node bench/profile-summary.mjs <dir>` reads them per request.
 */
const loadProfileDir = process.env.BENCH_LOAD_PROFILE
  ? resolve(process.env.BENCH_LOAD_PROFILE)
  : undefined;
if (loadProfileDir) mkdirSync(loadProfileDir, { recursive: true });

/** Clock ticks per second of /proc/<pid>/stat times (almost always 100). */
export const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU time (user + system, every thread) a process has used so far, in seconds; undefined where
 * /proc is not available (not Linux). Unlike req/s it leaves out the time a server spent waiting
 * for a core, so it measures the work done per request more directly (though still not
 * perfectly: on a busy host, shared caches make the same work cost more CPU time).
 */
function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) in parentheses; utime and stime
    // are fields 14 and 15 of the line, 12 and 13 after the ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return undefined;
  }
}

/**
 * Waits until `server` has finished what a slice left it: autocannon stops at the slice's end
 * with up to a connection's worth of requests in flight, which the server still serves (and
 * whose sockets it closes) while the next slice runs. Settled = its CPU time grows by at most
 * one clock tick in `windowMs`; at most `maxMs`. Off Linux (no CPU time) it returns at once.
 */
export async function settle(server, { windowMs = 100, maxMs = 2000 } = {}) {
  const deadline = Date.now() + maxMs;
  let before = server.cpuSeconds();
  if (before === undefined) return;
  while (Date.now() < deadline) {
    await sleep(windowMs);
    const now = server.cpuSeconds();
    // Half a tick over one, for the float sum of tick counts.
    if (now - before <= 1.5 / clockTicks) return;
    before = now;
  }
}

/**
 * Runs one slice of load against `target.server`, lets the server finish what the slice left in
 * flight (`settle`), and adds the server's CPU time over both to `target.cpuSeconds`: steadier
 * than req/s on a shared host, whose other work moves every server's throughput. Returns the
 * slice's result.
 */
export async function measuredSlice(target, slice) {
  const before = target.server.cpuSeconds();
  const result = await slice();
  await settle(target.server);
  target.cpuSeconds += target.server.cpuSeconds() - before;
  return result;
}

/** After a failure: keep every server's log file when it stops, and say where it is. */
export function keepServerLogs() {
  keepLogs = true;
}

/** A port nothing listens on right now (the OS picks it; the child binds it a moment later). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node <args>` with `env` added to this process's environment and waits until
 * `GET <readyPath>` answers 200. The child's stdout and stderr go to a file rather than a pipe
 * into this process, which also runs the load generator and should not spend CPU reading
 * logs; the file is deleted after a clean stop and kept (its tail printed) when anything fails.
 */
export async function startServer({ name, args, env, host = '127.0.0.1', readyPath }) {
  const port = await freePort();
  const logFile = join(
    tmpdir(),
    `sp-bench-${name.replace(/\W+/g, '-')}-${process.pid}-${port}.log`,
  );
  const out = openSync(logFile, 'w');
  const profiling = loadProfileDir
    ? {
        NODE_OPTIONS: `--import ${pathToFileURL(join(repoRoot, 'bench/lib/load-profile.mjs')).href}`,
        BENCH_LOAD_PROFILE_DIR: loadProfileDir,
        BENCH_LOAD_PROFILE_NAME: name.replace(/\W+/g, '-').replace(/^-|-$/g, ''),
      }
    : undefined;
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...env,
      ...profiling,
      NODE_OPTIONS: [
        env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS,
        serverNodeOptions,
        profiling?.NODE_OPTIONS,
      ]
        .filter(Boolean)
        .join(' '),
      HOST: host,
      PORT: String(port),
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);

  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exit;
  void exited.then((e) => (exit = e));
  let stopping;
  const stop = async () => {
    if (!exit) {
      child.kill('SIGTERM');
      let timer;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS, true))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        process.stderr.write(
          `${name} did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM; killing it\n`,
        );
        child.kill('SIGKILL');
        await exited;
      }
    }
    if (keepLogs && sizeOf(logFile) > 0) {
      process.stderr.write(`${name} log kept: ${logFile}\n`);
    } else {
      rmSync(logFile, { force: true });
    }
  };

  const server = {
    name,
    url: `http://${host}:${port}`,
    pid: child.pid,
    logFile,
    /** CPU seconds the child has used so far (undefined off Linux). */
    cpuSeconds: () => cpuSecondsOf(child.pid),
    /** With BENCH_LOAD_PROFILE: start profiling the load (once the warm-up is over). */
    startLoadProfile: () => {
      if (profiling && !exit) child.kill('SIGUSR2');
    },
    /** The last lines the child wrote, for error messages. */
    tail: (lines = 30) => tailOf(logFile, lines),
    /**
     * Stops the child (once, however often it is called): SIGTERM for a graceful shutdown,
     * SIGKILL if it is still there after a while.
     */
    stop: () => (stopping ??= stop()),
    /** Rejects once the child exits unexpectedly, naming its exit and last output. */
    exited: exited.then(({ code, signal }) => {
      throw new BenchFailure(
        `${name} exited (${signal ?? `code ${code}`}); last output:\n${tailOf(logFile)}`,
      );
    }),
  };
  // Registered as soon as the child exists, so an interrupt during startup still stops it.
  onCleanup(`stop ${name} (pid ${child.pid})`, server.stop);
  server.exited.catch(() => {}); // Observed where it matters (waitUntilReady); not unhandled here.

  await waitUntilReady(server, readyPath);
  return server;
}

async function waitUntilReady(server, readyPath) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  let settled = false;
  // Fail as soon as the child dies rather than polling a dead port until the deadline.
  const died = server.exited.catch((error) => {
    if (!settled) throw error;
  });
  const poll = (async () => {
    while (!settled && Date.now() < deadline) {
      try {
        const response = await fetch(server.url + readyPath, {
          signal: AbortSignal.timeout(2_000),
        });
        await response.arrayBuffer();
        if (response.ok) return;
        lastProblem = `${readyPath} answered ${response.status}`;
      } catch (error) {
        lastProblem = error.cause?.code ?? error.message;
      }
      await sleep(100);
    }
    if (settled) return;
    throw new BenchFailure(
      `${server.name} was not ready within ${READY_TIMEOUT_MS / 1000} s (${lastProblem}); ` +
        `last output:\n${server.tail()}`,
    );
  })();
  try {
    await Promise.race([poll, died]);
  } finally {
    // Whichever way it went, stop the other side (the poll loop would otherwise run on).
    settled = true;
  }
}

/** The last `lines` lines of a log file, reading only its end (an info-level log can be large). */
function tailOf(file, lines = 30) {
  try {
    const fd = openSync(file, 'r');
    try {
      const { size } = fstatSync(fd);
      const length = Math.min(size, 64 * 1024);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      const text = buffer.toString('utf8').trimEnd();
      return text ? text.split('\n').slice(-lines).join('\n') : '(no output)';
    } finally {
      closeSync(fd);
    }
  } catch {
    return '(no output)';
  }
}

function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
