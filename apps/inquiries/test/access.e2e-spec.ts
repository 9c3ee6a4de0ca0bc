import {
  type Caller,
  auditRow,
  callerTokens,
  platformRows,
  runMatrix,
  TestPartnerIssuer,
  useTestApp,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

let issuer: TestPartnerIssuer;
let tokens: Partial<Record<Caller, string>> = {};

beforeAll(async () => {
  issuer = await TestPartnerIssuer.start();
  tokens = await callerTokens({
    partnerA: await issuer.token('0a000000-0000-4000-8000-00000000000a', ['inquiries:write']),
    partnerB: await issuer.token('0b000000-0000-4000-8000-00000000000b', ['inquiries:write']),
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
  const { mismatches } = await runMatrix(ctx.running.app, ctx.running.url, tokens, [
    ...platformRows,
    auditRow('inquiry', 'INQ-2026-000001'),
  ]);
  expect(mismatches).toEqual([]);
});
