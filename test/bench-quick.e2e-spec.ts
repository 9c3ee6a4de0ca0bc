import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every benchmark in its quick variant (`bench/run.mjs --quick`), so none can rot unnoticed: each
 * must still start its servers, check that service and baseline answer alike, measure and
 * write its results. Nothing here looks at a time or a ratio: on a machine running the rest of
 * the suite beside it, they mean nothing. Needs the build `npm test` makes first.
 */

const root = join(__dirname, '..');
let resultsDir: string;

beforeAll(() => {
  resultsDir = mkdtempSync(join(tmpdir(), 'sp-bench-quick-test-'));
});
afterAll(() => {
  rmSync(resultsDir, { recursive: true, force: true });
});

it('runs every benchmark, each writing its results outside bench/results', async () => {
  const committed = readdirSync(join(root, 'bench', 'results')).filter((f) => f.endsWith('.json'));
  const before = committed.map((file) =>
    readFileSync(join(root, 'bench', 'results', file), 'utf8'),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BENCH_RESULTS_DIR: resultsDir,
    // Few connections per server: the rest of the suite shares Postgres' max_connections.
    BENCH_POOL_MAX: '3',
    // http-read's optional Nest-only baseline runs too, so it cannot rot either.
    BENCH_NEST_BASELINE: '1',
    // One service process, whatever the caller's environment asks for (checked below).
    BENCH_SERVICE_LOG_LEVELS: 'info',
  };
  // Jest's VM-module flag is not the benchmarks' business.
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, ['bench/run.mjs', '--quick'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

  const summary = output.slice(output.lastIndexOf('=== benchmarks'));
  expect({ code, summary }).toEqual({ code: 0, summary: expect.stringContaining('ran') });
  expect(summary).not.toMatch(/FAILED|stopped/);
  // Every benchmark with committed results ran and wrote its quick results, with its table.
  const written = readdirSync(resultsDir).sort();
  expect(written).toEqual([...committed].sort());
  for (const file of written) {
    const name = file.replace(/\.json$/, '');
    expect(summary).toMatch(new RegExp(`ran +${name} \\(`));
    // Each result records the machine it ran on; the rest of its shape is the benchmark's own.
    const result = JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as {
      machine?: { cpus?: number };
    };
    expect(typeof result.machine?.cpus).toBe('number');
  }
  const httpRead = JSON.parse(readFileSync(join(resultsDir, 'http-read.json'), 'utf8')) as {
    results: { key: string }[];
  };
  expect(httpRead.results.map((r) => r.key)).toEqual(['baseline', 'baseline-nest', 'service-info']);
  // The committed results are left as they were.
  expect(
    committed.map((file) => readFileSync(join(root, 'bench', 'results', file), 'utf8')),
  ).toEqual(before);
}, 900_000);
