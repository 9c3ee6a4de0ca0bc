// Preloaded (`node --import`) into a benchmark's server when BENCH_LOAD_PROFILE is set (see
// processes.mjs): profiles the measured load only, not the start-up and warm-up that a
// whole-process `--cpu-prof` averages in (zod's JSON schemas, Swagger, module loading: tens of
// µs a request on a short run). The benchmark sends SIGUSR2 when the warm-up is over; from
// then on this samples CPU (every 200 µs) and counts requests (the `http.server.request.start`
// diagnostics channel). With BENCH_LOAD_PROFILE_HEAP=1 it also samples allocations (every 16 KB
// on average, freed objects included, so the profile says what each request allocates, not what
// stays alive); that makes the server slower (its garbage collector most), so read CPU from a
// run without it. BENCH_LOAD_PROFILE_HEAP=survivors samples only what outlives a young-generation
// collection (what a minor GC frees is left out): where the objects that are copied and promoted
// were allocated. BENCH_LOAD_PROFILE_CPU=0 leaves the CPU profiler off (it costs ≈ 15 % on a
// thread of its own), for the counts below alone. When the server exits it writes
// <dir>/<name>.cpuprofile, <name>.heapprofile (with allocations) and <name>.json: the requests
// served, the garbage collections seen by a `gc` performance observer (count and main-thread
// pause, by kind), each thread's CPU time from /proc (the main thread, V8's helper threads that
// scavenge in parallel and mark and sweep concurrently, libuv's pool), which a CPU profile does
// not show, and each heap space's size and use at the start and the end.
// `node bench/profile-summary.mjs <dir>` reads them per request.
import { subscribe } from 'node:diagnostics_channel';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

/** Each V8 heap space's size and use, in MB. */
const spaces = () =>
  Object.fromEntries(
    getHeapSpaceStatistics().map((space) => [
      space.space_name,
      { size: space.space_size / 2 ** 20, used: space.space_used_size / 2 ** 20 },
    ]),
  );

const gcKinds = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

/** CPU ms each group of threads (by name, the main thread as `main`) has used, from /proc. */
function threadCpu() {
  const byName = {};
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // comm may hold spaces and parentheses: the fields after it follow the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      const name =
        Number(tid) === process.pid
          ? 'main'
          : readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '');
      byName[name] = (byName[name] ?? 0) + ticks * 10; // USER_HZ is 100 on Linux
    }
  } catch {
    // No /proc (not Linux): the summary leaves threads out.
  }
  return byName;
}

const dir = process.env.BENCH_LOAD_PROFILE_DIR;
const name = process.env.BENCH_LOAD_PROFILE_NAME || String(process.pid);
const heap = ['1', 'survivors'].includes(process.env.BENCH_LOAD_PROFILE_HEAP ?? '');
const survivorsOnly = process.env.BENCH_LOAD_PROFILE_HEAP === 'survivors';
const cpu = process.env.BENCH_LOAD_PROFILE_CPU !== '0';

if (dir) {
  const session = new Session();
  session.connect();
  let requests = 0;
  let started = false;
  let threadsAtStart = {};
  let spacesAtStart = {};
  const gc = {};
  const tally = (entries) => {
    for (const entry of entries) {
      const kind = gcKinds[entry.detail?.kind] ?? String(entry.detail?.kind);
      gc[kind] ??= { count: 0, ms: 0 };
      gc[kind].count++;
      gc[kind].ms += entry.duration;
    }
  };
  const gcObserver = new PerformanceObserver((list) => tally(list.getEntries()));
  subscribe('http.server.request.start', () => {
    if (started) requests++;
  });
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    threadsAtStart = threadCpu();
    gcObserver.observe({ entryTypes: ['gc'] });
    spacesAtStart = spaces();

    if (cpu) {
      session.post('Profiler.enable');
      session.post('Profiler.setSamplingInterval', { interval: 200 });
      session.post('Profiler.start');
    }
    if (heap) {
      session.post('HeapProfiler.enable');
      session.post('HeapProfiler.startSampling', {
        samplingInterval: 16_384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: !survivorsOnly,
      });
    }
  });
  // A session on the process' own thread answers synchronously, so this runs to the end even
  // in an 'exit' listener.
  process.on('exit', () => {
    if (!started) return;
    const threadsAtEnd = threadCpu();
    const threads = Object.fromEntries(
      Object.entries(threadsAtEnd).map(([name, ms]) => [name, ms - (threadsAtStart[name] ?? 0)]),
    );
    // Collections since the observer's last callback are still queued.
    tally(gcObserver.takeRecords());
    gcObserver.disconnect();
    const write = (suffix, data) => writeFileSync(join(dir, `${name}.${suffix}`), data);
    if (cpu) {
      session.post('Profiler.stop', (error, result) => {
        if (!error) write('cpuprofile', JSON.stringify(result.profile));
      });
    }
    if (heap) {
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (!error) write('heapprofile', JSON.stringify(result.profile));
      });
    }
    write(
      'json',
      JSON.stringify({ requests, gc, threads, spaces: { start: spacesAtStart, end: spaces() } }),
    );
  });
}
