import {
  type Caller,
  expiredStaffToken,
  type MatrixRow,
  runMatrix,
  staffToken,
  staffTokenFromUnknownKey,
  TestPartnerIssuer,
  unsignedToken,
  useTestApp,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

let issuer: TestPartnerIssuer;
const tokens: Partial<Record<Caller, string>> = {};

beforeAll(async () => {
  issuer = await TestPartnerIssuer.start();
  tokens.viewer = await staffToken('viewer');
  tokens.staff = await staffToken('staff');
  tokens.admin = await staffToken('admin');
  tokens.partnerA = await issuer.token('0a000000-0000-4000-8000-00000000000a', ['inquiries:write']);
  tokens.partnerB = await issuer.token('0b000000-0000-4000-8000-00000000000b', ['inquiries:write']);
  tokens.expired = await expiredStaffToken('admin');
  tokens.unknownKey = await staffTokenFromUnknownKey('admin');
  tokens.algNone = unsignedToken({
    iss: 'urn:sp:dev-staff-issuer',
    sub: 'mallory',
    roles: ['admin'],
  });
});

afterAll(async () => {
  await issuer?.close();
});

const ctx = useTestApp(appModule, description, {
  env: {
    get AUTH_PARTNER_JWKS_URL() {
      return issuer.jwksUrl;
    },
  },
});

it('gives every caller exactly what it may, on every route', async () => {
  const rows: MatrixRow[] = [
    {
      route: 'GET /health/live',
      request: () => ({ path: '/health/live' }),
      expect: { others: 200 },
    },
    {
      route: 'GET /health/ready',
      request: () => ({ path: '/health/ready' }),
      expect: { others: 200 },
    },
    { route: 'GET /metrics', request: () => ({ path: '/metrics' }), expect: { others: 200 } },
    {
      route: 'GET /audit',
      request: () => ({ path: '/audit?entity=inquiry&entityId=INQ-2026-000001' }),
      expect: { anonymous: 401, admin: 200, others: 403 },
    },
  ];
  const { mismatches } = await runMatrix(ctx.running.app, ctx.running.url, tokens, rows);
  expect(mismatches).toEqual([]);
});
