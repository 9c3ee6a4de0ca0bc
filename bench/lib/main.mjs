import { cleanup, interruption } from './cleanup.mjs';
import { BenchFailure } from './common.mjs';
import { keepServerLogs } from './processes.mjs';

/**
 * Runs a benchmark's `main` and always cleans up after it. A failure sets exit code 1, keeps the
 * servers' logs and is reported (a diagnosed `BenchFailure` by its message, anything else with
 * its stack); after Ctrl-C the signal handler cleans up and exits, and what fails meanwhile is a
 * consequence, not a finding.
 */
export async function runBenchmark(name, main, { log, cleaningUp }) {
  try {
    await main();
  } catch (error) {
    process.exitCode = 1;
    if (interruption()) await new Promise(() => {}); // The signal handler cleans up and exits.
    keepServerLogs();
    const detail = error instanceof BenchFailure ? error.message : (error?.stack ?? String(error));
    process.stderr.write(`\n${name} failed: ${detail}\n`);
  } finally {
    log(`cleaning up: ${cleaningUp}`);
    await cleanup();
  }
}
