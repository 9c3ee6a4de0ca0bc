// The V8 setting every service runs with, applied to a baseline as well, so a ratio compares
// what the code does and not how the runtime was set: the services' `runService` turns
// allocation-site pretenuring off unless V8_PRETENURING=on (packages/platform/src/runtime/
// pretenuring.ts says why); a baseline imports this module first and reads the same variable.
// Without it, a baseline kept V8's default, under which a process that pretenures during the
// warm-up's queued burst pays twice for its young collections for the rest of the run.

import { setFlagsFromString } from 'node:v8';

setFlagsFromString(
  process.env.V8_PRETENURING === 'on'
    ? '--allocation-site-pretenuring'
    : '--no-allocation-site-pretenuring',
);
