import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { BatchedRequestLines, logOutput, REQUEST_LINES_BATCH_CHARS } from './log-output';

/** Records each write as it arrives: how lines were grouped is what these tests are about. */
class Writes {
  readonly writes: string[] = [];
  #written: (() => void) | undefined;
  write(chunk: string): void {
    this.writes.push(chunk);
    this.#written?.();
  }
  /** Resolves at the next write. */
  nextWrite(): Promise<void> {
    return new Promise((resolve) => (this.#written = resolve));
  }
  /** The lines written so far, each parsed. */
  lines(): { msg: string; level: number }[] {
    return this.writes
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; level: number });
  }
}

/** A root logger and a request logger over one output, as `PlatformModule` builds them. */
function loggers(output: { lines: Writes | object; requestLines: object }) {
  return {
    root: pino({ base: null }, output.lines as Writes),
    requests: pino({ base: null }, output.requestLines as Writes),
  };
}

const outputs: BatchedRequestLines[] = [];
function batched(sink: Writes, flushMs: number): BatchedRequestLines {
  const output = new BatchedRequestLines(sink, flushMs);
  outputs.push(output);
  return output;
}
afterEach(() => {
  for (const output of outputs.splice(0)) output.close();
});

it('holds request lines back, and writes them first, in one write, before the next other line', () => {
  const sink = new Writes();
  const { root, requests } = loggers(batched(sink, 60_000));
  requests.info('request 1');
  requests.info('request 2');
  expect(sink.writes).toEqual([]);

  root.warn('a warning');
  expect(sink.writes).toHaveLength(2);
  expect(sink.lines().map((l) => l.msg)).toEqual(['request 1', 'request 2', 'a warning']);
  // Not only warnings: every line of the root logger goes out at once.
  root.info('listening');
  expect(sink.lines().at(-1)?.msg).toBe('listening');
  expect(sink.writes).toHaveLength(3);
});

it('writes a batch once it holds about 4 KB', () => {
  const sink = new Writes();
  const { requests } = loggers(batched(sink, 60_000));
  const url = '/partners?limit=50&q=' + 'x'.repeat(100);
  let logged = 0;
  while (sink.writes.length === 0) {
    requests.info({ req: { url } }, `request ${++logged}`);
  }
  expect(sink.writes[0]?.length).toBeGreaterThanOrEqual(REQUEST_LINES_BATCH_CHARS);
  expect(sink.writes[0]?.length).toBeLessThan(REQUEST_LINES_BATCH_CHARS + 300);
  expect(sink.lines().map((l) => l.msg)).toEqual(
    Array.from({ length: logged }, (_, i) => `request ${i + 1}`),
  );
  expect(logged).toBeGreaterThan(10);
});

it('writes a waiting batch after the flush time, with no other line to push it out', async () => {
  const sink = new Writes();
  const { requests } = loggers(batched(sink, 20));
  const written = sink.nextWrite();
  requests.info('request 1');
  requests.info('request 2');
  await written;
  expect(sink.writes).toHaveLength(1);
  expect(sink.lines().map((l) => l.msg)).toEqual(['request 1', 'request 2']);
});

it('writes what waits when closed, and leaves no exit handler behind', () => {
  const before = process.listenerCount('exit');
  const sink = new Writes();
  const output = new BatchedRequestLines(sink, 60_000);
  expect(process.listenerCount('exit')).toBe(before + 1);
  loggers(output).requests.info('the last request');
  output.close();
  expect(sink.lines().map((l) => l.msg)).toEqual(['the last request']);
  expect(process.listenerCount('exit')).toBe(before);
});

it('writes request lines straight through once closed: no exit handler would write them', () => {
  const sink = new Writes();
  const output = new BatchedRequestLines(sink, 60_000);
  output.close();
  loggers(output).requests.info('a request finished after the close');
  expect(sink.lines().map((l) => l.msg)).toEqual(['a request finished after the close']);
});

describe('logOutput', () => {
  it('batches JSON request lines when REQUEST_LOG_FLUSH_MS is above 0', () => {
    const sink = new Writes();
    const output = logOutput({ LOG_FORMAT: 'json', REQUEST_LOG_FLUSH_MS: 1_000 }, sink);
    outputs.push(output as BatchedRequestLines);
    loggers(output).requests.info('request 1');
    expect(sink.writes).toEqual([]);
    output.close();
    expect(sink.lines().map((l) => l.msg)).toEqual(['request 1']);
  });

  it('writes every line at once with REQUEST_LOG_FLUSH_MS=0, or readable lines', async () => {
    const sink = new Writes();
    const output = logOutput({ LOG_FORMAT: 'json', REQUEST_LOG_FLUSH_MS: 0 }, sink);
    expect(output.requestLines).toBe(sink);
    loggers(output).requests.info('request 1');
    expect(sink.lines().map((l) => l.msg)).toEqual(['request 1']);

    // pino-pretty's stream, for a person watching: nothing held back.
    let read = '';
    let readable: () => void = () => undefined;
    const readableLine = new Promise<void>((resolve) => (readable = resolve));
    const terminal = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          read += chunk.toString('utf8');
          if (read.includes('request 2')) readable();
          done();
        },
      }),
      { isTTY: true },
    );
    const pretty = logOutput({ LOG_FORMAT: 'auto', REQUEST_LOG_FLUSH_MS: 1_000 }, terminal);
    expect(pretty.requestLines).toBe(pretty.lines);
    loggers(pretty).requests.info('request 2');
    await readableLine;
  });
});

describe('a process that exits', () => {
  // Built code in a child process of its own, writing to a real stdout pipe: the exit handler
  // runs in that process's last moments, which no in-process test can reach.
  const built = join(__dirname, '..', '..', 'dist', 'logging', 'log-output.js');
  // A child that hangs (a regression: a close that blocks on the full pipe) must not outlive
  // its test, or keep this worker from exiting.
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  /** Filler lines: enough to fill a pipe or socket pair several times over (about 1.3 MB). */
  const FILLERS = 10_000;

  /** A child that logs through `logOutput` to its stdout, then does `ending`. */
  const script = (before: string, ending: string) => `
    const pino = require('pino');
    const { logOutput } = require(${JSON.stringify(built)});
    const output = logOutput({ LOG_FORMAT: 'json', REQUEST_LOG_FLUSH_MS: 60000 }, undefined);
    const root = pino({ base: null }, output.lines);
    const requests = pino({ base: null }, output.requestLines);
    ${before}
    for (let i = 1; i <= 3; i++) requests.info('request ' + i);
    ${ending}
  `;

  /**
   * Runs `source`. Its stdout is read from the start (`read`), or left unread until the child
   * writes `ready` to stderr, by when the pipe is full and the stream holds the rest: then read
   * (`read when ready`), or closed, with SIGUSR2 sent to the child (`hang up when ready`); or
   * never read, nor closed before the child has exited (`never read`).
   */
  async function runChild(
    source: string,
    stdoutIs: 'read' | 'read when ready' | 'hang up when ready' | 'never read' = 'read',
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    if (!existsSync(built)) throw new Error(`${built} is missing: build first (npm run build)`);
    const child = spawn(process.execPath, ['-e', source], {
      cwd: join(__dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    let ready = false;
    const read = () => child.stdout.on('data', (out: Buffer) => (stdout += out.toString('utf8')));
    if (stdoutIs === 'read') read();
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (ready || !stderr.includes('ready')) return;
      ready = true;
      if (stdoutIs === 'read when ready') read();
      if (stdoutIs === 'hang up when ready') {
        child.stdout.destroy();
        child.kill('SIGUSR2');
      }
    });
    if (stdoutIs === 'never read') child.on('exit', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { code, stdout, stderr };
  }

  const messages = (stdout: string) =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { msg: string }).msg);

  const fillers = `for (let i = 0; i < ${FILLERS}; i++) root.info('filler ' + i + ' ' + 'x'.repeat(100));`;
  const lastFillerThenRequests = [
    expect.stringMatching(new RegExp(`^filler ${FILLERS - 1} `)),
    'request 1',
    'request 2',
    'request 3',
  ];

  it.each([
    ['calls process.exit', 'setTimeout(() => process.exit(3), 10);', 3],
    ['throws an uncaught exception', "setTimeout(() => { throw new Error('boom'); }, 10);", 1],
    ['runs out of work', '', 0],
  ])('writes the waiting request lines when it %s', async (_what, ending, exitCode) => {
    const { code, stdout } = await runChild(script('', ending));
    expect(code).toBe(exitCode);
    expect(messages(stdout)).toEqual(['request 1', 'request 2', 'request 3']);
  });

  it("writes them at exit, every line in order, while stdout's reader is behind and the pipe is full", async () => {
    // The pipe is full and the stream holds the rest, one chunk of it waiting to retry
    // (sonic-boom's own `_retryTimer`), when the process exits with three request lines
    // waiting. Only a synchronous write at exit that retries while the pipe is full gets them
    // out (an asynchronous one is still queued when the process ends), and only a flush that
    // writes the retrying chunk first keeps every filler line (sonic-boom 4, pino's own stdout,
    // skipped it: about 100 lines lost, in 1 run of 3).
    const { code, stdout, stderr } = await runChild(
      script(
        fillers,
        `const stream = require(${JSON.stringify(built)}).processStdout();
         const waiting = setInterval(() => {
           if (stream._retryTimer === null) return;
           clearInterval(waiting);
           process.stderr.write('ready\\n');
           process.exit(0);
         }, 1);`,
      ),
      'read when ready',
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.stringContaining('ready') });
    const written = messages(stdout);
    expect(written.slice(-4)).toEqual(lastFillerThenRequests);
    expect(written).toHaveLength(FILLERS + 3);
    expect(written.slice(0, FILLERS).every((msg, i) => msg.startsWith(`filler ${i} `))).toBe(true);
  });

  it("exits when stdout's reader is gone, with lines still to write", async () => {
    // The pipe is full, then its reader closes it: every write left fails with EPIPE. The exit
    // must give them up (sonic-boom 4's flush retried EPIPE forever: the process never ended).
    const { code, stderr } = await runChild(
      script(
        fillers,
        `process.on('SIGUSR2', () => process.exit(0));
         setTimeout(() => process.stderr.write('ready\\n'), 20);
         setInterval(() => {}, 1000);`,
      ),
      'hang up when ready',
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.stringContaining('ready') });
  });

  it("ends, giving up what is left, when stdout's reader takes nothing more", async () => {
    // The pipe is full and stays full: the exit writes for EXIT_FLUSH_MS (5 s), then gives up.
    // Without that limit the process never ended.
    const { code, stderr } = await runChild(
      script(
        fillers,
        "setTimeout(() => { process.stderr.write('ready\\n'); process.exit(0); }, 20);",
      ),
      'never read',
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: expect.stringContaining('ready') });
  });

  it("keeps the order when the app closes while stdout's reader is behind", async () => {
    // The close writes the batch through the stream, after what it holds; the process lives on
    // a little, as a closing app does, and ends with nothing left to do.
    const { code, stdout } = await runChild(
      script(
        fillers,
        `setTimeout(() => {
          output.close();
          process.stderr.write('ready\\n');
          setTimeout(() => {}, 300);
        }, 20);`,
      ),
      'read when ready',
    );
    expect(code).toBe(0);
    const written = messages(stdout);
    expect(written).toHaveLength(FILLERS + 3);
    expect(written.slice(-4)).toEqual(lastFillerThenRequests);
  });
});
