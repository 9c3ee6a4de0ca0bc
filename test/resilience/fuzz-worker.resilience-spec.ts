import { appModule, description } from '../../apps/worker/src/app.module';
import { expectNoLeaks, expectNoViolations } from './fuzz-expect';
import {
  type FuzzReport,
  fuzzService,
  issuerPartnerTokens,
  loadDocument,
  printReport,
  tokenSource,
  useFuzzApp,
} from './fuzz-kit';

/** The worker's small HTTP side under fuzzing (deliveries, audit, health). */
// Reports are asked for here, not built: a build finishing during a later case would write an
// artifact that the row-count check would blame on that (refused) case.
const fuzz = useFuzzApp(appModule, description, { WORKER_QUEUES: 'notifications' });
const { operations, schemas } = loadDocument('worker');
let report: FuzzReport | undefined;

it('answers every operation of its document, whatever it is sent, with no 5xx, only problem+json errors and no write when it refuses', async () => {
  report = await fuzzService(
    {
      service: 'worker',
      app: fuzz.ctx,
      token: tokenSource(
        issuerPartnerTokens(
          fuzz,
          '0a000000-0000-4000-8000-00000000000a',
          '0b000000-0000-4000-8000-00000000000b',
        ),
      ),
      knownIds: [],
      pathValues: () => [],
    },
    schemas,
    operations,
  );
  printReport(report);
  expectNoViolations(report);
}, 1_800_000);

it('let no stack trace, file path or SQL out in any error body of the run', () => {
  expectNoLeaks(report);
});
