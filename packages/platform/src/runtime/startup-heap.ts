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

type Gc = (
  options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' } | { type: 'minor' },
) => void;

let exposed: Gc | null | undefined;

/**
 * The runtime's `gc`: not exposed to apps by default, it is taken from a fresh context after
 * setting `--expose-gc`, which changes nothing else. Null when the runtime refuses.
 */
function exposedGc(): Gc | null {
  if (exposed !== undefined) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    exposed = typeof gc === 'function' ? (gc as Gc) : null;
  } catch {
    exposed = null;
  }
  return exposed;
}

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
 * it again as far as the load's survival rate asks. Undefined when the runtime refuses `gc`
 * (then nothing was done).
 */
export function releaseStartupHeap(): HeapRelease | undefined {
  const rssBefore = process.memoryUsage.rss();
  const newSpaceBefore = newSpace();
  const gc = exposedGc();
  if (!gc) return undefined;
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return {
    rssBefore,
    rssAfter: process.memoryUsage.rss(),
    newSpaceBefore,
    newSpaceAfter: newSpace(),
  };
}

/**
 * A counter for a stream that moves many bytes and makes few objects (a CSV export written by
 * Postgres): told each chunk's size, it runs one young-generation collection (a scavenge) every
 * `bytes`. V8 frees a dead Buffer's memory only when it collects the generation the Buffer is in,
 * and it collects the young one when that fills with objects, which such a stream hardly makes:
 * the socket buffers of a 40 MB export (read, reassembled, re-ended, ≈ 3 copies of each byte)
 * piled up dead to ≈ 35 MB before a collection came (V8's own limit for them is 64 MB), the
 * registry's peak reaching 194 MB. A scavenge every 4 MB kept it at 165 MB, at the same speed:
 * a scavenge of a young generation holding little alive takes about a millisecond. A no-op
 * where the runtime refuses `gc`.
 */
export function scavengeEvery(bytes: number): (chunkBytes: number) => void {
  const gc = exposedGc();
  if (!gc) return () => undefined;
  let since = 0;
  return (chunkBytes) => {
    since += chunkBytes;
    if (since < bytes) return;
    since = 0;
    gc({ type: 'minor' });
  };
}
