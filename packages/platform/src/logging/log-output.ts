import type { DestinationStream } from 'pino';
import pinoPretty from 'pino-pretty';
import SonicBoom from 'sonic-boom';
import type { BaseConfig } from '../config/config';

/** A batch of request lines is written once it holds about this number of characters. */
export const REQUEST_LINES_BATCH_CHARS = 4096;

/**
 * Where a service's log lines go. `lines` takes every line but the request lines, and writes
 * each at once; `requestLines` takes the one line a request ends with (`logRequests`), which
 * may wait a little to be written with others. Both go to the same place, in order: a line
 * written through `lines` goes out after every request line before it.
 */
export type LogOutput = {
  readonly lines: DestinationStream;
  readonly requestLines: DestinationStream;
  /** Writes what is waiting and stops the timer (the app is closing). */
  close(): void;
};

/** Whether LOG_FORMAT asks for readable lines on this destination (`logStream`). */
export function prettyLogs(
  format: BaseConfig['LOG_FORMAT'],
  destination: DestinationStream | undefined,
): boolean {
  const terminal = ((destination ?? process.stdout) as { isTTY?: boolean }).isTTY === true;
  return format === 'pretty' || (format === 'auto' && terminal);
}

/**
 * Where log lines go: JSON to the destination (stdout by default), or, when LOG_FORMAT asks for
 * it (`pretty`, or `auto` and the destination is a terminal), through pino-pretty on the way.
 * An in-process stream rather than a worker-thread transport: the lines stay in order with the
 * process's own output, and a test's capture stream works the same way. Colours follow
 * pino-pretty's own rule (a terminal, or FORCE_COLOR; never with NO_COLOR).
 */
export function logStream(
  format: BaseConfig['LOG_FORMAT'],
  destination: DestinationStream | undefined,
): DestinationStream | undefined {
  if (!prettyLogs(format, destination)) return destination;
  return pinoPretty({
    destination: destination ?? 1,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    messageFormat: '{if context}[{context}] {end}{msg}',
    // `npm start` prefixes each line with the app's name.
    ignore: 'pid,hostname,service,context',
  });
}

/**
 * The log output for a config: JSON lines have their request lines batched
 * (`REQUEST_LOG_FLUSH_MS`); readable lines, which a person is watching, and a flush time of 0
 * write each line at once.
 */
export function logOutput(
  config: Pick<BaseConfig, 'LOG_FORMAT' | 'REQUEST_LOG_FLUSH_MS'>,
  destination: DestinationStream | undefined,
): LogOutput {
  const pretty = prettyLogs(config.LOG_FORMAT, destination);
  if (pretty || config.REQUEST_LOG_FLUSH_MS === 0) {
    const sink = logStream(config.LOG_FORMAT, destination) ?? processStdout();
    return { lines: sink, requestLines: sink, close: () => undefined };
  }
  if (destination) return new BatchedRequestLines(destination, config.REQUEST_LOG_FLUSH_MS);
  const stdout = processStdout();
  return new BatchedRequestLines(stdout, config.REQUEST_LOG_FLUSH_MS, (batch) =>
    writeStdoutNow(stdout, batch),
  );
}

let stdout: SonicBoom | undefined;

/**
 * How long, at most, writing what waits for stdout may hold up an exiting process while a full
 * pipe refuses it (a stalled or gone-quiet log reader): then the rest is given up, so the
 * process ends, within SHUTDOWN_TIMEOUT_MS and this, as the orchestrator expects.
 */
export const EXIT_FLUSH_MS = 5_000;
let exitDeadline: number | undefined;
/** sonic-boom's `retryEAGAIN`: a full pipe is retried, at exit only until `EXIT_FLUSH_MS`. */
const retryUntilExitDeadline = (): boolean =>
  exitDeadline === undefined || Date.now() < exitDeadline;
const startExitDeadline = (): void => {
  exitDeadline ??= Date.now() + EXIT_FLUSH_MS;
};

/**
 * The process's stdout, as every app in the process writes its JSON lines to it: one
 * asynchronous sonic-boom (its writes go through libuv's thread pool, so a reader that falls
 * behind does not block the event loop), flushed synchronously when the process exits.
 *
 * Not pino's `pino.destination(1)`: pino 10 builds it on sonic-boom 4, whose flush at exit loses
 * the chunk waiting to retry a full pipe (about 100 lines in this file's spec) and, when the
 * reader is gone, retries `EPIPE` forever, so the process never exits. sonic-boom 5 writes the
 * waiting chunk first and throws on an error it cannot retry. One stream for the process, not
 * one per app: lines of several apps in one process (tests) keep their order.
 *
 * What is still open at exit: a chunk the thread pool is writing at that moment (between a
 * full pipe's retries, a moment in each 100 ms) is neither awaited nor written again, so its lines
 * are lost if the pipe refused it. A reader that takes nothing more holds the exit up for
 * `EXIT_FLUSH_MS`, no longer.
 */
export function processStdout(): SonicBoom {
  if (stdout !== undefined) return stdout;
  // Node makes fd 1 non-blocking when `process.stdout` is first read (a pipe's writes then
  // come back with EAGAIN, which sonic-boom retries on a timer). A blocking fd would park a
  // thread-pool thread on a stalled reader, and a flush at exit could overtake its chunk.
  void process.stdout;
  const stream = new SonicBoom({ fd: 1, retryEAGAIN: retryUntilExitDeadline });
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // As pino does: the reader is gone (a pipe's, or a socket's), so lines have nowhere to go;
    // every other error is the process's to die of.
    if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') throw error;
    stream.write = () => true;
    stream.flushSync = () => undefined;
  });
  process.on('exit', () => {
    startExitDeadline();
    try {
      stream.flushSync();
    } catch {
      // EPIPE, a descriptor gone, or a pipe still full at the deadline: what is left is lost.
    }
  });
  stdout = stream;
  return stream;
}

/**
 * At exit: writes `batch` to stdout before returning, after what the asynchronous stream still
 * holds (its `flushSync`, which `processStdout`'s exit handler has usually run already), through
 * a synchronous sonic-boom that retries while a full pipe refuses it; so a stalled reader holds
 * up the exit, for `EXIT_FLUSH_MS` at most. Not through the stream's `write`: that would hand
 * the batch to the thread pool, which the exiting process does not wait for. A chunk of the
 * stream already in the thread pool (a write in flight, not one waiting to retry) may land after
 * the batch.
 */
function writeStdoutNow(stdout: SonicBoom, batch: string): void {
  startExitDeadline();
  try {
    stdout.flushSync();
  } catch {
    // EPIPE or a descriptor gone: the batch goes the same way, or fails the same way below.
  }
  try {
    new SonicBoom({ fd: 1, sync: true, retryEAGAIN: retryUntilExitDeadline }).write(batch);
  } catch {
    // EPIPE, a descriptor that is no longer there (EBADF, EIO), or a pipe still full at the
    // deadline: nowhere to write.
  }
}

/**
 * Request lines written in batches, the way nginx buffers its access log: a batch goes out once
 * it holds `REQUEST_LINES_BATCH_CHARS`, `flushMs` after its first line at the latest, before the
 * next line written through `lines`, when the app starts to close (from then on each line is
 * written at once), and, through `writeNow`, when the process exits (`process.exit`, an uncaught
 * exception) with a batch still waiting. One
 * `write` per batch instead of one per request: a request line cost 9–18 µs of the event loop's
 * time and 14–26 µs of CPU written alone, 4–6 µs batched (pino to a file, a line per turn of the
 * event loop, 2026-12-04).
 *
 * What a batch risks: a process killed outright (SIGKILL, the kernel's OOM killer, V8 running
 * out of heap) loses the request lines of its last `flushMs`, and a quiet service writes a
 * request's line up to `flushMs` after it. Only request lines wait (`request completed`,
 * `request errored`, `request aborted`); a warning or an error, and every other line, is written
 * at once, after them.
 */
export class BatchedRequestLines implements LogOutput {
  #pending = '';
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #onExit = () => this.#writeNow();

  readonly lines: DestinationStream = {
    write: (line: string) => {
      this.flush();
      this.sink.write(line);
    },
  };

  readonly requestLines: DestinationStream = {
    write: (line: string) => {
      // Closing: each line at once, so a second signal or an exit finds nothing waiting.
      if (this.#closed) return void this.sink.write(line);
      this.#pending += line;
      if (this.#pending.length >= REQUEST_LINES_BATCH_CHARS) this.flush();
      else this.#timer ??= setTimeout(() => this.flush(), this.flushMs).unref();
    },
  };

  /**
   * `writeNow` writes a batch before it returns, at exit (stdout: `writeStdoutNow`); by default,
   * the sink's own `write`, for a sink that writes at once (a test's capture stream).
   */
  constructor(
    private readonly sink: DestinationStream,
    private readonly flushMs: number,
    private readonly writeNow: (batch: string) => void = (batch) => sink.write(batch),
  ) {
    process.on('exit', this.#onExit);
  }

  /** Writes the request lines waiting, if some are. */
  flush(): void {
    const batch = this.#take();
    if (batch !== '') this.sink.write(batch);
  }

  /**
   * The app starts to close: what waits is written, through the stream as usual (the event loop
   * still runs, and the stream is flushed at exit), and each later line at once.
   */
  close(): void {
    this.#closed = true;
    process.off('exit', this.#onExit);
    this.flush();
  }

  #writeNow(): void {
    const batch = this.#take();
    if (batch !== '') this.writeNow(batch);
  }

  #take(): string {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#pending;
    this.#pending = '';
    return batch;
  }
}
