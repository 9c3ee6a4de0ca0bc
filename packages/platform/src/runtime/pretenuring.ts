import { setFlagsFromString } from 'node:v8';

/** V8_PRETENURING's values; `off`: V8 never moves an allocation site to the old generation. */
export const PRETENURING_SETTINGS = ['off', 'on'] as const;
export type PretenuringSetting = (typeof PRETENURING_SETTINGS)[number];

/**
 * Whether V8 may pretenure: give an allocation site (an object or array literal in the code)
 * whose objects nearly all outlived a young-generation collection the old generation from then
 * on. For a service it is a trap, and `off` (the default, V8_PRETENURING) takes it away:
 *
 * - A burst of requests queued behind the database pool (a hundred callers on ten connections:
 *   a start under load, a restart in turn, a client's retry storm) keeps everything those
 *   requests made alive across collections, and V8 pretenures the sites that made it: row
 *   objects, parser state, response pieces.
 * - V8 takes such a decision back only when a full collection finds under about a tenth of the
 *   old generation alive, which a service's large long-lived heap (Nest, its modules, caches)
 *   hardly ever allows. The burst over, those sites still put each request's short-lived
 *   objects straight into the old generation, where each keeps the young objects it points to
 *   (its strings, Dates, arrays) alive through every young collection until the next full one,
 *   so they are copied and promoted in turn.
 * - So a process ran its whole life in one of two states, decided by its first busy seconds:
 *   at 100 connections on `GET /partners` (`bench/http-read.mjs`), the young collections'
 *   pause was 44–116 µs a request and V8's helper threads 73–214 µs in the slow state, against
 *   5–33 and 14–115 otherwise. A service came out slow in about half the runs of 2026-12-04, the
 *   plain Fastify baseline in 18 of 26; with `off`, neither was slow in the 13 runs counted.
 *
 * What pretenuring is for, objects that truly live long, still reaches the old generation: such
 * an object is promoted after surviving two young collections, as V8 does for every object it
 * has made no decision about. V8 reads the flag at each collection, so setting it while the
 * process runs takes effect at once, but decisions made before stay: each app's `main` sets it
 * first thing (`@sp/platform/v8-flags`), before its modules load. The report builder's process
 * (forked by the worker with flags of its own) keeps V8's default: its allocations were not
 * measured under this setting.
 */
export function applyPretenuring(setting: PretenuringSetting): void {
  setFlagsFromString(PRETENURING_FLAGS[setting]);
}

/** The V8 flag each setting stands for. */
export const PRETENURING_FLAGS: Readonly<Record<PretenuringSetting, string>> = {
  off: '--no-allocation-site-pretenuring',
  on: '--allocation-site-pretenuring',
};

/**
 * The setting V8_PRETENURING asks for, read before the configuration is validated: `on` is
 * `on`, anything else the default, `off` (`runService` refuses a value it does not know).
 */
export const pretenuringFromEnv = (env: NodeJS.ProcessEnv): PretenuringSetting =>
  env.V8_PRETENURING === 'on' ? 'on' : 'off';
