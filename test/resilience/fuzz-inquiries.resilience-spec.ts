import { factories } from '@sp/testing';
import { appModule, description } from '../../apps/inquiries/src/app.module';
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

/** The inquiries service under fuzzing; partner tokens from a stand-in for the registry's issuer. */
const fuzz = useFuzzApp(appModule, description);
const make = factories(fuzz.ctx);
const { operations, schemas } = loadDocument('inquiries');
let report: FuzzReport | undefined;

it('answers every operation of its document, whatever it is sent, with no 5xx, only problem+json errors and no write when it refuses', async () => {
  const partner = await make.partnerSnapshot({}, 'inquiries');
  const other = await make.partnerSnapshot({}, 'inquiries');
  const first = await make.inquiry();
  const second = await make.inquiry({ partnerId: partner.id });
  const ids: Record<string, string[]> = {
    inquiries: [first.inquiry.id, second.inquiry.id, (await make.inquiryRow()).id],
    status: [first.statusToken, second.statusToken],
    inbound: [(await make.inboundMessage()).id, (await make.inboundMessage()).id],
    'canned-responses': [(await make.cannedResponse()).id, (await make.cannedResponse()).id],
  };
  report = await fuzzService(
    {
      service: 'inquiries',
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
