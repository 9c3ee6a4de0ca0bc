import {
  type Caller,
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
    partnerA: await issuer.token('0a000000-0000-4000-8000-00000000000a', ['reports:read']),
    partnerB: await issuer.token('0b000000-0000-4000-8000-00000000000b', ['reports:read']),
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

// The worker keeps no audit log of its own (it changes nothing on a caller's behalf).
it('gives every caller exactly what it may, on every route', async () => {
  const { mismatches } = await runMatrix(ctx.running.app, ctx.running.url, tokens, platformRows);
  expect(mismatches).toEqual([]);
});
