/**
 * scripts/ensure-install.mjs, as `npm start` / `npm test` run it before the project's Node
 * exists: on the machine's Node and npm, in a copy of the project without node_modules. npm
 * runs for real, as a dry run (npm_config_dry_run: resolves the lockfile, checks engines,
 * writes nothing), so its engine warnings are the ones a first install prints.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const root = join(__dirname, '..');

/** The project's manifests and the script, without node_modules. */
function projectCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sp-ensure-install-'));
  const copy = (file: string) => {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  };
  for (const file of ['package.json', 'package-lock.json', 'scripts/ensure-install.mjs'])
    copy(file);
  for (const parent of ['packages', 'apps'])
    for (const name of readdirSync(join(root, parent))) copy(`${parent}/${name}/package.json`);
  return dir;
}

it('installs without a wall of EBADENGINE warnings, summing them up in one line', () => {
  const dir = projectCopy();
  try {
    // The PATH of a machine where the project's Node is not installed yet.
    const PATH = (process.env['PATH'] ?? '')
      .split(delimiter)
      .filter((p) => !p.includes('node_modules'))
      .join(delimiter);
    const env = { ...process.env, PATH, NODE_OPTIONS: '', npm_config_dry_run: 'true' };
    const machineNode = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
    const npmOnly = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    const run = spawnSync('node', ['scripts/ensure-install.mjs'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    const output = `${run.stdout}${run.stderr}`;

    expect(output).toMatch(/Installing dependencies \(npm ci\)/);
    expect(output).not.toMatch(/EBADENGINE/);
    if (!/^v2[4-9]\./.test(machineNode)) {
      // What npm alone prints on this machine's Node, and what the script makes of it.
      const warned = npmOnly.stderr.match(/EBADENGINE\s+package:/g) ?? [];
      expect(warned.length).toBeGreaterThan(0);
      expect(output).toContain(
        `(npm: ${warned.length} packages want a newer Node than this machine's ${machineNode} (`,
      );
      expect(output).toMatch(/kysely@[\d.]+/);
      expect(output.split('\n').filter((l) => l.includes('newer Node'))).toHaveLength(1);
    }
    // A dry run installs nothing, so the script's own check then finds no project Node.
    expect(output).toMatch(/The project's Node \(node_modules\/\.bin\/node\) answered "nothing"/);
    expect(run.status).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
