import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type HeapRelease = {
  /** Resident memory (bytes) before and after. */
  rssBefore: number;
  rssAfter: number;
  /** V8's young generation (new space, bytes) before and after. */
  newSpaceBefore: number;
  newSpaceAfter: number;
};

type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

const newSpace = () =>
  getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

/**
 * Gives back the memory a service's start-up left behind. Loading Nest, the modules and the
 * OpenAPI document keeps so much alive for a moment that V8 grows its young generation to the
 * maximum (two 64 MB semi-spaces) and, left alone, keeps it: a registry idled at ≈ 280 MB of
 * which 128 MB was an empty young generation. One last-resort full collection once the app is
 * built (before it listens: no request waits for it) shrinks it to 1 MB (≈ 150 MB idle).
 *
 * Unlike `--max-semi-space-size`, which caps the young generation for good (+29 % CPU per
 * request at 16 MB, measured with bench/http-read.mjs), this only resets it: under load V8 grows
 * it again as far as the load's survival rate asks. `gc` is not exposed to apps by default; it is
 * taken from a fresh context after setting `--expose-gc`, which changes nothing else.
 * Undefined when the runtime refuses (then nothing was done).
 */
export function releaseStartupHeap(): HeapRelease | undefined {
  const rssBefore = process.memoryUsage.rss();
  const newSpaceBefore = newSpace();
  let gc: Gc;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as Gc;
  } catch {
    return undefined;
  }
  if (typeof gc !== 'function') return undefined;
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return {
    rssBefore,
    rssAfter: process.memoryUsage.rss(),
    newSpaceBefore,
    newSpaceAfter: newSpace(),
  };
}
