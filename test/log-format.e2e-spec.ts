/**
 * LOG_FORMAT: `pretty` writes readable lines (pino-pretty), `auto` writes JSON to anything but
 * a terminal and pretty lines to a terminal, `json` always JSON. One real app (nestjs-pino keeps
 * one root logger per process, so a file can only start one with its own log stream); the
 * other cases go through the same stream choice directly.
 */
import { Writable } from 'node:stream';
import { createApp } from '@sp/platform';
import { logStream } from '../packages/platform/src/logging/log-output';
import { createTestDatabase, type TestDatabase, testConfig, waitFor } from '@sp/testing';
import { appModule, description } from '../apps/symposium/src/app.module';

/** Collects raw output lines; `isTTY` makes it pass for a terminal, as process.stdout does. */
class Capture extends Writable {
  readonly lines: string[] = [];
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

/** Starts the app with LOG_FORMAT=format writing to `sink`, makes one request, stops it. */
async function logsOf(format: string, sink: Capture): Promise<string[]> {
  const config = testConfig({
    DATABASE_URL: database.url,
    QUEUES_ENABLED: 'false',
    LOG_LEVEL: 'info',
    LOG_FORMAT: format,
  });
  const app = await createApp(appModule({ config, logDestination: sink }), config, description);
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const address = app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    expect((await fetch(`http://127.0.0.1:${address.port}/symposiums`)).status).toBe(200);
    await waitFor(
      () => sink.lines.some((l) => l.includes('request completed')),
      'the request line',
    );
  } finally {
    await app.close();
  }
  return sink.lines;
}

const isJson = (line: string): boolean => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

it('pretty: readable lines, not JSON', async () => {
  const lines = await logsOf('pretty', new Capture());
  const request = lines.find((l) => l.includes('request completed')) ?? '';
  expect(isJson(request)).toBe(false);
  // `[12:34:56.789] INFO: request completed {"requestId":…,"res":{"statusCode":200},…}`
  expect(request).toMatch(
    /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*: request completed .*"statusCode":200/,
  );
  expect(lines.every((l) => !isJson(l))).toBe(true);
});

/** What `logStream` makes of one JSON log line written by pino. */
async function through(format: 'auto' | 'pretty' | 'json', sink: Capture): Promise<string[]> {
  const stream = logStream(format, sink) ?? sink;
  stream.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: 'hello' })}\n`);
  await waitFor(() => sink.lines.length > 0, 'the line');
  return sink.lines;
}

it('auto: JSON when the output is not a terminal, pretty when it is', async () => {
  const piped = await through('auto', new Capture(false));
  expect(piped.map((l) => JSON.parse(l) as unknown)).toEqual([
    expect.objectContaining({ msg: 'hello' }),
  ]);
  const terminal = await through('auto', new Capture(true));
  expect(terminal).toEqual([expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO.*: hello$/)]);
});

it('json: JSON even on a terminal; pretty even when piped', async () => {
  expect((await through('json', new Capture(true))).every(isJson)).toBe(true);
  expect((await through('pretty', new Capture(false))).some(isJson)).toBe(false);
});
