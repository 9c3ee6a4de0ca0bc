// Teardown that must happen however a benchmark ends: normally, on an error, or on Ctrl-C.
// Anything a benchmark creates outside itself (a database, a child process) registers its
// undo step here *before* the thing exists, so an interrupt can never fall between creating
// it and being able to remove it.

const steps = [];
let running;
let interruptedBy;

/**
 * The signal that interrupted the run, if any. Once interrupted, the servers (which get Ctrl-C
 * too) go away mid-load, so whatever fails after that is a consequence, not a finding.
 */
export const interruption = () => interruptedBy;

/**
 * Registers an undo step. Steps run newest first, like a stack: servers are stopped before the
 * database they are connected to is dropped. A step registered after cleanup has started (a
 * late resource appearing during an interrupt) is run straight away.
 */
export function onCleanup(name, undo) {
  if (running) {
    void running.then(() => runStep({ name, undo }));
    return;
  }
  steps.push({ name, undo });
}

/** Runs every registered step once, newest first; a failing step is reported, not fatal. */
export function cleanup() {
  running ??= (async () => {
    while (steps.length) await runStep(steps.pop());
  })();
  return running;
}

async function runStep({ name, undo }) {
  try {
    await undo();
  } catch (error) {
    process.stderr.write(`cleanup: could not ${name}: ${error?.message ?? error}\n`);
  }
}

/**
 * On SIGINT (Ctrl-C) or SIGTERM: clean up, then exit with the conventional 128 + signal code.
 * A second signal while cleaning up exits at once and says what may be left behind.
 */
export function cleanUpOnSignals(log = (message) => process.stderr.write(`${message}\n`)) {
  const codes = { SIGINT: 130, SIGTERM: 143 };
  for (const [signal, code] of Object.entries(codes)) {
    process.on(signal, () => {
      if (interruptedBy) {
        process.stderr.write(
          `${signal} again: exiting without finishing cleanup (check for sp_bench_* databases and stray servers)\n`,
        );
        process.exit(code);
      }
      interruptedBy = signal;
      log(`${signal}: stopping and cleaning up`);
      void cleanup().finally(() => process.exit(code));
    });
  }
}
