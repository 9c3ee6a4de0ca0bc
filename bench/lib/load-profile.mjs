// Preloaded (`node --import`) into a benchmark's server when BENCH_LOAD_PROFILE is set (see
// processes.mjs): profiles the measured load only, not the start-up and warm-up that a
// whole-process `--cpu-prof` averages in (zod's JSON schemas, Swagger, module loading: tens of
// µs a request on a short run). The benchmark sends SIGUSR2 when the warm-up is over; from
// then on this samples CPU (every 200 µs) and counts requests (the `http.server.request.start`
// diagnostics channel). With BENCH_LOAD_PROFILE_HEAP=1 it also samples allocations (every 16 KB
// on average, freed objects included, so the profile says what each request allocates, not what
// stays alive); that makes the server slower (its garbage collector most), so read CPU from a
// run without it. When the server exits it writes <dir>/<name>.cpuprofile, <name>.heapprofile
// (with allocations) and <name>.json ({ requests }):
// `node bench/profile-summary.mjs <dir>` reads them per request.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_LOAD_PROFILE_DIR;
const name = process.env.BENCH_LOAD_PROFILE_NAME || String(process.pid);
const heap = process.env.BENCH_LOAD_PROFILE_HEAP === '1';

if (dir) {
  const session = new Session();
  session.connect();
  let requests = 0;
  let started = false;
  subscribe('http.server.request.start', () => {
    if (started) requests++;
  });
  process.on('SIGUSR2', () => {
    if (started) return;
    started = true;
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 200 });
    session.post('Profiler.start');
    if (heap) {
      session.post('HeapProfiler.enable');
      session.post('HeapProfiler.startSampling', {
        samplingInterval: 16_384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    }
  });
  // A session on the process' own thread answers synchronously, so this runs to the end even
  // in an 'exit' listener.
  process.on('exit', () => {
    if (!started) return;
    const write = (suffix, data) => writeFileSync(join(dir, `${name}.${suffix}`), data);
    session.post('Profiler.stop', (error, result) => {
      if (!error) write('cpuprofile', JSON.stringify(result.profile));
    });
    if (heap) {
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (!error) write('heapprofile', JSON.stringify(result.profile));
      });
    }
    write('json', JSON.stringify({ requests }));
  });
}
