// Runs a set of processes for `npm start`: prefixes their output, restarts one that exits
// unexpectedly (with backoff, saying so loudly), and stops everything only when asked to
// (Ctrl-C) or when a process keeps crashing before it ever started.
import { spawn } from 'node:child_process';

/**
 * @typedef {object} SupervisedApp
 * @property {string} name
 * @property {string} command
 * @property {string[]} args
 * @property {Record<string, string | undefined>} [env]
 * @property {string} [cwd]
 *
 * @typedef {object} SupervisorOptions
 * @property {RegExp} [readyPattern] an output line that says the process has started
 * @property {number} [firstDelayMs] first wait before a restart; doubles per crash in a row
 * @property {number} [maxDelayMs] longest wait before a restart
 * @property {number} [maxStartFailures] crashes in a row before starting that stop everything
 * @property {number} [stopTimeoutMs] after SIGTERM, how long before SIGKILL
 * @property {(line: string) => void} [out] where prefixed output goes
 * @property {(line: string) => void} [err] where the supervisor's own alarms go
 */

export class Supervisor {
  /** @param {SupervisedApp[]} apps @param {SupervisorOptions} [options] */
  constructor(apps, options = {}) {
    this.apps = apps;
    this.readyPattern = options.readyPattern ?? /listening on /;
    this.firstDelayMs = options.firstDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.maxStartFailures = options.maxStartFailures ?? 3;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 9_000;
    this.out = options.out ?? ((line) => process.stdout.write(`${line}\n`));
    this.err = options.err ?? ((line) => process.stderr.write(`${line}\n`));
    /** @type {Map<string, { child: import('node:child_process').ChildProcess, started: boolean, crashes: number, startFailures: number, restarts: number, timer?: NodeJS.Timeout }>} */
    this.running = new Map();
    this.stopping = false;
    /** Resolves with the exit code once everything has stopped. */
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.width = Math.max(...apps.map((a) => a.name.length)) + 3;
  }

  start() {
    for (const app of this.apps) this.launch(app, { crashes: 0, startFailures: 0, restarts: 0 });
    return this;
  }

  /** @param {SupervisedApp} app */
  launch(app, history) {
    const child = spawn(app.command, app.args, {
      cwd: app.cwd,
      env: app.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const state = { ...history, child, started: false };
    this.running.set(app.name, state);
    const prefix = `[${app.name}] `.padEnd(this.width);
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream.on('data', (data) => {
        buffered += data.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (!state.started && this.readyPattern.test(line)) {
            state.started = true;
            // Up again: the next crash starts the backoff from the beginning.
            state.crashes = 0;
            state.startFailures = 0;
          }
          this.out(`${prefix}${line}`);
        }
      });
    }
    child.on('error', (error) => this.err(`✖ ${app.name} could not be started: ${error.message}`));
    child.on('exit', (code, signal) => this.exited(app, state, code, signal));
  }

  exited(app, state, code, signal) {
    if (this.stopping) {
      this.running.delete(app.name);
      if (this.running.size === 0) this.finish(this.exitCode);
      return;
    }
    const how = signal ?? `code ${code}`;
    state.crashes++;
    if (!state.started) state.startFailures++;
    if (state.startFailures >= this.maxStartFailures) {
      this.err(
        `✖✖ ${app.name} exited (${how}) before it started, ${state.startFailures} times in a row; ` +
          'stopping everything. Its output above says why.',
      );
      this.running.delete(app.name);
      void this.stop(1);
      return;
    }
    const delay = Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** (state.crashes - 1));
    state.restarts++;
    this.err(
      `✖✖ ${app.name} exited unexpectedly (${how}); restarting it in ${(delay / 1000).toFixed(1)} s ` +
        `(restart ${state.restarts}). The other apps keep running.`,
    );
    state.timer = setTimeout(() => {
      if (!this.stopping) this.launch(app, state);
    }, delay);
  }

  /** Stops every process (SIGTERM, then SIGKILL after the timeout); resolves with `code`. */
  async stop(code = 0) {
    if (this.stopping) return this.done;
    this.stopping = true;
    this.exitCode = code;
    for (const [name, state] of this.running) {
      clearTimeout(state.timer);
      // Waiting for a restart: nothing is running under this name.
      if (state.child.exitCode !== null || state.child.signalCode !== null) {
        this.running.delete(name);
      } else {
        state.child.kill('SIGTERM');
      }
    }
    if (this.running.size === 0) {
      this.finish(code);
      return this.done;
    }
    const killer = setTimeout(() => {
      for (const [name, state] of this.running) {
        this.err(`${name} did not stop in time; killing it`);
        state.child.kill('SIGKILL');
      }
    }, this.stopTimeoutMs);
    await this.done;
    clearTimeout(killer);
    return this.done;
  }
}
