#!/usr/bin/env node
// `npm start`: check Postgres and Redis (starting them with Docker Compose when an engine
// answers), build, migrate, seed, then run every app and worker until Ctrl-C.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Supervisor } from './lib/supervisor.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
// The apps write to a pipe (their lines get a name prefix here), so they cannot see the
// terminal themselves: readable, coloured logs when this runs in one, JSON otherwise.
if (!env.LOG_FORMAT) env.LOG_FORMAT = process.stdout.isTTY ? 'pretty' : 'json';
if (env.LOG_FORMAT === 'pretty' && process.stdout.isTTY && !env.NO_COLOR) env.FORCE_COLOR ??= '1';
const DATABASE_URL =
  env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/strategic_partnerships';
const REDIS_URL = env.REDIS_URL || 'redis://127.0.0.1:6379';

const apps = [
  { name: 'partner-registry', port: 3001 },
  { name: 'symposium', port: 3002 },
  { name: 'inquiries', port: 3003 },
  { name: 'worker', port: 3004 },
];

const hidePassword = (url) => {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
};

/** Whether something accepts TCP connections at the URL's host and port within `ms`. */
function reachable(url, defaultPort, ms = 1500) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({
      host: hostname.replace(/^\[|\]$/g, ''),
      port: Number(port || defaultPort),
    });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function ensureServers() {
  const servers = [
    {
      what: 'PostgreSQL',
      service: 'postgres',
      url: DATABASE_URL,
      port: 5432,
      variable: 'DATABASE_URL',
      local: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    },
    {
      what: 'Redis',
      service: 'redis',
      url: REDIS_URL,
      port: 6379,
      variable: 'REDIS_URL',
      local: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379',
    },
  ];
  let missing = [];
  for (const s of servers) if (!(await reachable(s.url, s.port))) missing.push(s);
  if (missing.length === 0) return;

  const docker = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeout: 4000,
    encoding: 'utf8',
  });
  if (docker.status === 0 && docker.stdout.trim()) {
    const names = missing.map((s) => s.service);
    console.log(`Starting ${names.join(' and ')} with Docker Compose…`);
    const up = spawnSync('docker', ['compose', 'up', '-d', '--wait', ...names], {
      cwd: root,
      stdio: 'inherit',
    });
    if (up.status === 0) {
      for (let i = 0; i < 60 && missing.length; i++) {
        const still = [];
        for (const s of missing) if (!(await reachable(s.url, s.port))) still.push(s);
        missing = still;
        if (missing.length) await sleep(1000);
      }
      if (missing.length === 0) return;
    }
  }
  for (const s of missing) {
    console.error(
      `${s.what} is not reachable at ${hidePassword(s.url)}.\n` +
        `  Start one with \`docker compose up -d ${s.service}\` (needs a Docker engine), or locally with\n` +
        `  \`${s.local}\`, or point ${s.variable} at a running server.`,
    );
  }
  process.exit(1);
}

function step(title, cmd, args) {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`✖ ${title} failed`);
    process.exit(result.status ?? 1);
  }
}

async function waitReady(app, ms = 30_000) {
  const until = Date.now() + ms;
  while (Date.now() < until && !supervisor.stopping) {
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/health/ready`);
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}

await ensureServers();
step('Building', 'turbo', ['run', 'build', '--output-logs=errors-only']);
step('Migrating the database', process.execPath, ['packages/db/dist/cli/migrate.js', 'up']);
step('Seeding the demo data', process.execPath, ['packages/db/dist/cli/seed.js']);

console.log('\n▶ Starting the apps');
// An app that exits unexpectedly is restarted (with backoff, loudly); everything stops on
// Ctrl-C, or when an app keeps crashing before it has started (its output says why).
const supervisor = new Supervisor(
  apps.map((app) => ({
    name: app.name,
    command: process.execPath,
    args: [`apps/${app.name}/dist/main.js`],
    cwd: root,
    env: { ...env, PORT: String(app.port), DATABASE_URL, REDIS_URL },
  })),
).start();
const stop = () => {
  console.log('\nStopping…');
  void supervisor.stop(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
void supervisor.done.then((code) => {
  console.log('All apps stopped.');
  process.exit(code);
});

const ready = await Promise.all(apps.map((app) => waitReady(app)));
const notReady = apps.filter((_, i) => !ready[i]).map((a) => a.name);
if (supervisor.stopping) {
  // An app kept crashing while starting; the supervisor is stopping the rest.
} else if (notReady.length) {
  console.error(
    `✖ not ready after 30 s: ${notReady.join(', ')} (still running; see its output above)`,
  );
} else {
  console.log('\nEverything is up:');
  for (const app of apps) {
    console.log(
      `  ${app.name.padEnd(17)} http://127.0.0.1:${app.port}   docs http://127.0.0.1:${app.port}/docs`,
    );
  }
  console.log('  Try: curl http://127.0.0.1:3002/symposiums');
  console.log('       TOKEN=$(npm run -s token -- --role viewer)');
  console.log('       curl -H "authorization: Bearer $TOKEN" http://127.0.0.1:3001/partners');
  console.log('Press Ctrl-C to stop.\n');
}
