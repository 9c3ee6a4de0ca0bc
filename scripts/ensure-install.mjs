#!/usr/bin/env node
// Installs the project's dependencies when they are missing or older than package-lock.json.
// Runs before `npm start` and `npm test`, on whatever Node the machine has (the project's own
// Node 24 arrives with the install), so it uses nothing but Node's standard library.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
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
  const status = await npmCiQuietly();
  if (status !== 0) {
    console.error('npm ci failed; see the output above.');
    process.exit(status);
  }
}

/**
 * `npm ci`, its output shown as it comes except npm's EBADENGINE warnings: this install runs on
 * the machine's Node, older than the >=22/24 that the project and some packages declare, and
 * npm prints five lines for each of them. That is expected (the project's own Node 24, which
 * this install brings, runs everything afterwards), so it becomes one line.
 */
function npmCiQuietly() {
  return new Promise((resolve) => {
    const child = spawn('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: root,
      stdio: ['inherit', 'inherit', 'pipe'],
    });
    const packages = [];
    let machineNode = '';
    const lines = createInterface({ input: child.stderr, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const engine = /^npm warn EBADENGINE\b(.*)$/i.exec(line);
      if (!engine) {
        process.stderr.write(`${line}\n`);
        return;
      }
      const pkg = /^\s*package: (?:'([^']+)'|undefined)/.exec(engine[1] ?? '');
      if (pkg) packages.push(pkg[1] ?? 'this project');
      machineNode = /current: \{ node: '([^']+)'/.exec(engine[1] ?? '')?.[1] ?? machineNode;
    });
    child.on('error', (error) => {
      console.error(`could not run npm: ${error.message}`);
      resolve(1);
    });
    child.on('close', (code) => {
      if (packages.length > 0) {
        console.log(
          `(npm: ${packages.length} packages want a newer Node than this machine's ${machineNode || 'Node'} ` +
            `(${packages.join(', ')}): expected, the project's own Node 24 runs them.)`,
        );
      }
      resolve(code ?? 1);
    });
  });
}

const version = spawnSync(pinnedNode, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
if (!/^v2[4-9]\./.test(version)) {
  console.error(
    `The project's Node (node_modules/.bin/node) answered "${version || 'nothing'}", not v24+.\n` +
      'Remove node_modules and run again; never install with --ignore-scripts.',
  );
  process.exit(1);
}
