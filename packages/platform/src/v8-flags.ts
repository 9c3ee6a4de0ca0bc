// `@sp/platform/v8-flags`: imported first by every app's `main`, before Nest, pg and the app's
// modules load, so the V8 settings the platform chooses hold from the process's first objects.
// Loading a service's modules alone made V8 pretenure 19–30 allocation sites (Node 24.21,
// `--trace-pretenuring-statistics`), decisions that the later call in `runService` could not
// undo. The value is read here without validation, an unknown one meaning the default (`off`);
// `runService` validates it with the rest of the configuration and exits on a bad one.
import { applyPretenuring, pretenuringFromEnv } from './runtime/pretenuring';

applyPretenuring(pretenuringFromEnv(process.env));
