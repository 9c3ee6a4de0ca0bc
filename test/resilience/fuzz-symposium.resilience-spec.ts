import { factories } from '@sp/testing';
import { appModule, description } from '../../apps/symposium/src/app.module';
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

/** The symposium service under fuzzing; partner tokens from a stand-in for the registry's issuer. */
const fuzz = useFuzzApp(appModule, description);
const make = factories(fuzz.ctx);
const { operations, schemas } = loadDocument('symposium');
let report: FuzzReport | undefined;

it('answers every operation of its document, whatever it is sent, with no 5xx, only problem+json errors and no write when it refuses', async () => {
  const partner = await make.partnerSnapshot();
  const other = await make.partnerSnapshot();
  const open = await make.symposium({ status: 'registration-open' });
  const held = await make.symposium({ status: 'held' });
  await make.registrationSettings(open.id);
  const ids: Record<string, string[]> = {
    symposiums: [open.id, held.id],
    documents: [
      (await make.symposiumDocument(open.id)).id,
      (await make.symposiumDocument(held.id, { published: false })).id,
    ],
    sessions: [(await make.symposiumSession(open.id)).id],
    registrations: [
      (await make.registration(open.id)).id,
      (await make.registration(open.id, { status: 'waitlisted' })).id,
    ],
  };
  report = await fuzzService(
    {
      service: 'symposium',
      app: fuzz.ctx,
      token: tokenSource(issuerPartnerTokens(fuzz, partner.id, other.id)),
      knownIds: [...Object.values(ids).flat(), partner.id],
      pathValues: (segment) => ids[segment] ?? [],
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
