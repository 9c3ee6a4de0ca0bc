// The V8 setting every service runs with (`@sp/platform/v8-flags`, imported first by each app's
// main: allocation-site pretenuring off unless V8_PRETENURING=on; packages/platform/src/runtime/
// pretenuring.ts says why), applied to a process of the benchmarks with the platform's own code,
// so a ratio compares code under one runtime and not a flag. Without it, a baseline kept V8's
// default, under which a process that pretenures during the warm-up's queued burst pays about
// twice for its young collections for the rest of the run.
//
// Imported by lib/baseline-serve.mjs (so by every baseline server, after its own imports of
// Fastify and pg, which pretenure nothing), by baseline-email-worker.mjs, and first by the
// benchmarks that run a baseline or the service's code in their own process (csv-transfer,
// search, queue-email's relay and producers).

import {
  applyPretenuring,
  pretenuringFromEnv,
} from '../../packages/platform/dist/runtime/pretenuring.js';

applyPretenuring(pretenuringFromEnv(process.env));
