// Reads the profiles a benchmark run with BENCH_LOAD_PROFILE=<dir> left (one set per server:
// <name>.cpuprofile, <name>.heapprofile, <name>.json with the requests served while profiling)
// and prints, per server and per request, where the CPU time went and what was allocated, by
// package (the node_modules package, `node` for Node's own JavaScript, `app` and `@sp/*` for
// ours, V8's own entries such as `(garbage collector)` by name); with a baseline among the
// servers, each other server's difference from it too. Only the main thread is sampled: V8's
// helper threads (parallel scavenges, concurrent marking) are not in those tables, but each
// thread's CPU time (from /proc) and the garbage collections (count and main-thread pause, by
// kind) are printed per request above them. A run with BENCH_LOAD_PROFILE_CPU=0 has those
// alone.
//
//   node bench/profile-summary.mjs <dir> [rows (default 25)]

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, rowsArg = '25'] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: node bench/profile-summary.mjs <dir> [rows]\n');
  process.exit(2);
}
const rows = Number(rowsArg);

/** The package a script belongs to, from its URL. */
function packageOf(url, functionName) {
  if (!url) {
    // V8's own entries: `(garbage collector)`, `(program)`, `(idle)`, `(root)`.
    if (functionName.startsWith('(')) return functionName;
    // Code made with `new Function`: fast-json-stringify's serializers, Ajv's validators, our
    // row mappers.
    if (/^anonymous\d*$/.test(functionName)) return '(compiled with new Function)';
    // Node's C++ bindings (writev, writeUtf8String) and V8's built-ins (RegExp exec, join).
    return `(native) ${functionName || '?'}`;
  }
  const installed = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (installed) return installed[1];
  if (url.startsWith('node:')) return 'node';
  const ours = /\/packages\/([^/]+)\//.exec(url);
  if (ours) return `@sp/${ours[1]}`;
  if (url.includes('/apps/')) return 'app';
  if (url.includes('/bench/')) return 'bench';
  return url;
}

/**
 * The ids of the nodes under load-profile.mjs' own frames: starting the profiler (its SIGUSR2
 * listener) is sampled too, ≈ 0.3 s of a run, which is not the server's work.
 */
function profilerNodes(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const ids = new Set();
  const mark = (id) => {
    ids.add(id);
    byId.get(id)?.children?.forEach(mark);
  };
  for (const node of profile.nodes)
    if (node.callFrame.url.endsWith('/bench/lib/load-profile.mjs')) mark(node.id);
  return ids;
}

/** µs of main-thread CPU per request, by package. */
function cpuByPackage(profile, requests) {
  const self = new Map();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const profiler = profilerNodes(profile);
  const byPackage = new Map();
  for (const node of profile.nodes) {
    if (profiler.has(node.id)) continue;
    const key = packageOf(node.callFrame.url, node.callFrame.functionName);
    byPackage.set(key, (byPackage.get(key) ?? 0) + (self.get(node.id) ?? 0) / requests);
  }
  byPackage.delete('(idle)');
  return byPackage;
}

/** Bytes allocated per request, by the package of the allocating function. */
function allocationByPackage(profile, requests) {
  const size = new Map();
  for (const sample of profile.samples)
    size.set(sample.nodeId, (size.get(sample.nodeId) ?? 0) + sample.size);
  const byPackage = new Map();
  const visit = (node) => {
    const key = packageOf(node.callFrame.url, node.callFrame.functionName);
    byPackage.set(key, (byPackage.get(key) ?? 0) + (size.get(node.id) ?? 0) / requests);
    node.children.forEach(visit);
  };
  visit(profile.head);
  return byPackage;
}

const total = (map) => [...map.values()].reduce((sum, value) => sum + value, 0);
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
const read = (file) => JSON.parse(readFileSync(join(dir, file), 'utf8'));

const servers = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => {
    const name = file.slice(0, -'.json'.length);
    const { requests, gc = {}, threads = {} } = read(file);
    const perRequest = (entries, scale) =>
      new Map(
        entries
          .filter(([, value]) => value > 0)
          .map(([key, value]) => [key, (value * scale) / requests]),
      );
    return {
      name,
      requests,
      // A thread's CPU ms, a collection kind's count and pause ms, from load-profile.mjs.
      threads: perRequest(Object.entries(threads), 1000),
      gcCount: perRequest(
        Object.entries(gc).map(([kind, { count }]) => [kind, count]),
        1000,
      ),
      gcPause: perRequest(
        Object.entries(gc).map(([kind, { ms }]) => [kind, ms]),
        1000,
      ),
      cpu: existsSync(join(dir, `${name}.cpuprofile`))
        ? cpuByPackage(read(`${name}.cpuprofile`), requests)
        : new Map(),
      allocated: existsSync(join(dir, `${name}.heapprofile`))
        ? allocationByPackage(read(`${name}.heapprofile`), requests)
        : undefined,
    };
  })
  .filter((server) => server.requests > 0)
  .sort((a, b) => a.name.localeCompare(b.name));
if (servers.length === 0) {
  process.stderr.write(`no profiles with requests in ${dir}\n`);
  process.exit(1);
}

const fixed = (value, width = 10) => value.toFixed(1).padStart(width);

/** The top rows of `left` (and `right`, when comparing), biggest first, divided by `scale`. */
function table(title, left, right, scale) {
  const keys = new Set([...top(left, rows), ...(right ? top(right, rows) : [])].map(([k]) => k));
  const size = (key) => (right ?? left).get(key) ?? 0;
  const lines = [...keys]
    .sort((a, b) => size(b) - size(a))
    .slice(0, rows)
    .map((key) => {
      const a = (left.get(key) ?? 0) / scale;
      if (!right) return `  ${fixed(a)}  ${key}`;
      const b = (right.get(key) ?? 0) / scale;
      return `  ${fixed(a)}${fixed(b)}${fixed(b - a)}  ${key}`;
    });
  return [`  ${title}`, ...lines].join('\n');
}

/** `a → b` when comparing, else `b`. */
const change = (a, b, scale) =>
  `${a === undefined ? '' : `${(a / scale).toFixed(0)} → `}${(b / scale).toFixed(0)}`;

const baseline = servers.find((server) => server.name.startsWith('baseline'));
for (const server of servers) {
  const against = server === baseline ? undefined : baseline;
  const lines = [
    against
      ? `${server.name} (${server.requests} requests); columns: ${against.name}, this, difference`
      : `${server.name} (${server.requests} requests)`,
  ];
  if (server.cpu.size > 0) {
    lines.push(
      `  main-thread CPU µs/request (profiled): ${change(against && total(against.cpu), total(server.cpu), 1)}`,
    );
  }
  if (server.threads.size > 0) {
    lines.push(
      `  CPU µs/request, all threads: ${change(against && total(against.threads), total(server.threads), 1)}`,
      table(
        'by thread (from /proc, in 10 ms ticks)',
        against?.threads ?? server.threads,
        against && server.threads,
        1,
      ),
      table(
        'garbage collections per 1,000 requests',
        against?.gcCount ?? server.gcCount,
        against && server.gcCount,
        1,
      ),
      table(
        'their main-thread pause µs/request',
        against?.gcPause ?? server.gcPause,
        against && server.gcPause,
        1,
      ),
    );
  }
  if (server.cpu.size > 0) {
    lines.push(
      table('CPU µs/request by package', against?.cpu ?? server.cpu, against && server.cpu, 1),
    );
  }
  if (server.allocated && (!against || against.allocated)) {
    // With BENCH_LOAD_PROFILE_HEAP=survivors the profile holds only what outlived a minor GC.
    lines.push(
      `  allocated KB/request (or, with HEAP=survivors, outliving the young generation): ${change(against && total(against.allocated), total(server.allocated), 1024)}`,
      table(
        'KB/request by package',
        against?.allocated ?? server.allocated,
        against && server.allocated,
        1024,
      ),
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
