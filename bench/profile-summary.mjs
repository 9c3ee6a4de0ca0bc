// Reads the profiles a benchmark run with BENCH_LOAD_PROFILE=<dir> left (one set per server:
// <name>.cpuprofile, <name>.heapprofile, <name>.json with the requests served while profiling)
// and prints, per server and per request, where the CPU time went and what was allocated, by
// package (the node_modules package, `node` for Node's own JavaScript, `app` and `@sp/*` for
// ours, V8's own entries such as `(garbage collector)` by name); with a baseline among the
// servers, each other server's difference from it too. Only the main thread is sampled: V8's
// helper threads (parallel scavenges, concurrent marking) are not in these numbers.
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

/** µs of main-thread CPU per request, by package. */
function cpuByPackage(profile, requests) {
  const self = new Map();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const byPackage = new Map();
  for (const node of profile.nodes) {
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
    const { requests } = read(file);
    return {
      name,
      requests,
      cpu: cpuByPackage(read(`${name}.cpuprofile`), requests),
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
    `  main-thread CPU µs/request: ${change(against && total(against.cpu), total(server.cpu), 1)}`,
    table('CPU µs/request by package', against?.cpu ?? server.cpu, against && server.cpu, 1),
  ];
  if (server.allocated && (!against || against.allocated)) {
    lines.push(
      `  allocated KB/request: ${change(against && total(against.allocated), total(server.allocated), 1024)}`,
      table(
        'KB allocated/request by package',
        against?.allocated ?? server.allocated,
        against && server.allocated,
        1024,
      ),
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
