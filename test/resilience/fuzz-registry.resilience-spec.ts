import { factories } from '@sp/testing';
import { appModule, description } from '../../apps/partner-registry/src/app.module';
import {
  type FuzzReport,
  fuzzService,
  loadDocument,
  printReport,
  tokenSource,
  useFuzzApp,
} from './fuzz-kit';
import { expectNoLeaks, expectNoViolations } from './fuzz-expect';

/**
 * The partner registry under fuzzing. Its partner tokens are real: API clients of two real
 * partners, exchanged at its own `POST /oauth/token`.
 */
const fuzz = useFuzzApp(appModule, description);
const make = factories(fuzz.ctx);
const { operations, schemas } = loadDocument('partner-registry');
let report: FuzzReport | undefined;

it('answers every operation of its document, whatever it is sent, with no 5xx, only problem+json errors and no write when it refuses', async () => {
  const a = await make.partner({ status: 'primary' });
  const b = await make.partner({ status: 'strategic' });
  const allScopes = [
    'registry:read',
    'activities:write',
    'mobility:write',
    'contacts:write',
  ] as const;
  const clientA = await make.apiClient(a.id, { scopes: [...allScopes] });
  const clientNone = await make.apiClient(a.id, { scopes: ['symposium:register'] });
  const clientB = await make.apiClient(b.id, { scopes: [...allScopes] });
  const spare = await make.apiClient(b.id, {});
  const ids: Record<string, string[]> = {
    partners: [a.id, b.id],
    agreements: [(await make.agreement(a.id)).id, (await make.agreement(b.id)).id],
    contacts: [(await make.contact(a.id)).id, (await make.contact(b.id)).id],
    'faculty-leads': [(await make.facultyLead({ partnerIds: [a.id] })).id],
    clients: [clientA.id, spare.id],
    activities: [
      (await make.activity(a.id, { isPublic: true })).id,
      (await make.activity(b.id)).id,
    ],
    mobility: [(await make.mobility(a.id)).id],
    funding: [(await make.funding(a.id)).id],
  };
  const token = tokenSource((who) =>
    (who === 'partner' ? clientA : who === 'otherPartner' ? clientB : clientNone).tokens.token(),
  );
  report = await fuzzService(
    {
      service: 'partner-registry',
      app: fuzz.ctx,
      token,
      knownIds: Object.values(ids).flat(),
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
