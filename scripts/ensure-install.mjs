#!/usr/bin/env node
// Installs the project's dependencies when they are missing or older than package-lock.json.
// Runs before `npm start` and `npm test`, on whatever Node the machine has (the project's own
// Node 24 arrives with the install), so it uses nothing but Node's standard library.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
// npm writes this after every install; older than package-lock.json = the lock changed since.
const installed = join(root, 'node_modules', '.package-lock.json');
const pinnedNode = join(root, 'node_modules', '.bin', 'node');

const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
if (stale || !existsSync(pinnedNode)) {
  console.log('Installing dependencies (npm ci): the first run takes a minute…');
  // Scripts must run: the `node` package fetches the project's Node 24 in its preinstall.
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('npm ci failed; see the output above.');
    process.exit(result.status ?? 1);
  }
}

const version = spawnSync(pinnedNode, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
if (!/^v2[4-9]\./.test(version)) {
  console.error(
    `The project's Node (node_modules/.bin/node) answered "${version || 'nothing'}", not v24+.\n` +
      'Remove node_modules and run again; never install with --ignore-scripts.',
  );
  process.exit(1);
}
