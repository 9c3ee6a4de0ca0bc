import type { INestApplication } from '@nestjs/common';
import { listRoutes } from './routes';
import type { AppDescription } from '@sp/platform';
import type { PartnerScope } from '@sp/types';
import { type TestApp, useTestApp } from './app';
import {
  expiredStaffToken,
  staffToken,
  staffTokenFromUnknownKey,
  TestPartnerIssuer,
  unsignedToken,
} from './auth';

/** Every kind of caller an authorization matrix tries. */
export const callers = [
  'anonymous',
  'viewer',
  'staff',
  'admin',
  'partnerA',
  'partnerB',
  'expired',
  'unknownKey',
  'algNone',
] as const;
export type Caller = (typeof callers)[number];

/** Tokens that must be refused wherever they are shown: always 401. */
const badTokens: Caller[] = ['expired', 'unknownKey', 'algNone'];

export type MatrixRow = {
  /** `METHOD /path/:param`, as the controller declares it. */
  route: string;
  /** The concrete request; called once per caller (fresh bodies for writes). */
  request: (caller: Caller) => {
    path: string;
    body?: unknown;
    form?: Record<string, string>;
    /** Extra headers; a PATCH or PUT sends `If-Match: *` unless this names another. */
    headers?: Record<string, string>;
  };
  /** The expected status per caller; `others` for the rest (bad tokens are always 401). */
  expect: Partial<Record<Caller | 'others', number>>;
};

export type MatrixResult = { caller: Caller; route: string; status: number; body: string };

/**
 * Runs every route × caller against the live service and returns what it got. Fails when the
 * service has a route without an access declaration, or one the matrix does not cover.
 */
export async function runMatrix(
  app: INestApplication,
  baseUrl: string,
  tokens: Partial<Record<Caller, string>>,
  rows: MatrixRow[],
): Promise<{ mismatches: string[]; results: MatrixResult[] }> {
  const routes = listRoutes(app);
  const undeclared = routes
    .filter((r) => !r.policy)
    .map((r) => `${r.method} ${r.path} (${r.handler})`);
  if (undeclared.length)
    throw new Error(`routes without @Public/@Roles/@Scopes:\n  ${undeclared.join('\n  ')}`);
  const declared = new Set(routes.map((r) => `${r.method} ${r.path}`));
  const covered = new Set(rows.map((r) => r.route));
  const missing = [...declared].filter((r) => !covered.has(r));
  const stale = [...covered].filter((r) => !declared.has(r));
  if (missing.length || stale.length) {
    throw new Error(
      `the matrix does not match the routes; missing: ${missing.join(', ') || '-'}; stale: ${stale.join(', ') || '-'}`,
    );
  }

  const mismatches: string[] = [];
  const results: MatrixResult[] = [];
  for (const row of rows) {
    const method = row.route.split(' ')[0]!;
    for (const caller of callers) {
      const expected = badTokens.includes(caller) ? 401 : (row.expect[caller] ?? row.expect.others);
      if (expected === undefined) throw new Error(`${row.route}: no expectation for ${caller}`);
      const request = row.request(caller);
      const { path, body, form } = request;
      const headers: Record<string, string> = {
        ...(method === 'PATCH' || method === 'PUT' ? { 'if-match': '*' } : {}),
        ...request.headers,
      };
      const token = tokens[caller];
      if (caller !== 'anonymous') {
        if (!token) throw new Error(`no token for ${caller}`);
        headers['authorization'] = `Bearer ${token}`;
      }
      let payload: string | undefined;
      if (form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = new URLSearchParams(form).toString();
      } else if (body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      const res = await fetch(`${baseUrl}${path}`, { method, headers, body: payload });
      const text = await res.text();
      results.push({ caller, route: row.route, status: res.status, body: text });
      if (res.status !== expected)
        mismatches.push(
          `${row.route} as ${caller}: expected ${expected}, got ${res.status} ${text.slice(0, 160)}`,
        );
    }
  }
  return { mismatches, results };
}

/**
 * Tokens for every caller but the partners (whose tokens come from the service under test or
 * a TestPartnerIssuer): development staff tokens for the three roles, and the three bad ones.
 */
export async function callerTokens(partners: {
  partnerA: string;
  partnerB: string;
}): Promise<Record<Exclude<Caller, 'anonymous'>, string>> {
  return {
    viewer: await staffToken('viewer'),
    staff: await staffToken('staff'),
    admin: await staffToken('admin'),
    ...partners,
    expired: await expiredStaffToken('admin'),
    unknownKey: await staffTokenFromUnknownKey('admin'),
    algNone: unsignedToken({ iss: 'urn:sp:dev-staff-issuer', sub: 'mallory', roles: ['admin'] }),
  };
}

/** The routes every service has from the platform: open to any valid caller, never rate-limited. */
export const platformRows: MatrixRow[] = ['/health/live', '/health/ready', '/metrics'].map(
  (path) => ({
    route: `GET ${path}`,
    request: () => ({ path }),
    expect: { others: 200 },
  }),
);

/** `GET /audit`, admins only. */
export const auditRow = (entity: string, entityId: string): MatrixRow => ({
  route: 'GET /audit',
  request: () => ({ path: `/audit?entity=${entity}&entityId=${encodeURIComponent(entityId)}` }),
  expect: { anonymous: 401, admin: 200, others: 403 },
});

/**
 * `useTestApp` for a service that verifies partner tokens from a JWKS: a TestPartnerIssuer
 * stands in for the registry, and `tokens()` holds a token for every caller (partner A and B
 * with the given scopes).
 */
export function useTestAppWithPartners(
  module: Parameters<typeof useTestApp>[0],
  description: AppDescription,
  options: { seed?: boolean; scopes: { partnerA: PartnerScope[]; partnerB: PartnerScope[] } },
): { app: TestApp; tokens: () => Partial<Record<Caller, string>> } {
  let issuer: TestPartnerIssuer | undefined;
  let tokens: Partial<Record<Caller, string>> = {};
  beforeAll(async () => {
    issuer = await TestPartnerIssuer.start();
    tokens = await callerTokens({
      partnerA: await issuer.token('0a000000-0000-4000-8000-00000000000a', options.scopes.partnerA),
      partnerB: await issuer.token('0b000000-0000-4000-8000-00000000000b', options.scopes.partnerB),
    });
  });
  afterAll(async () => {
    await issuer?.close();
  });
  const app = useTestApp(module, description, {
    seed: options.seed,
    env: {
      // Known only once the issuer listens, which is before the app starts.
      get AUTH_PARTNER_JWKS_URL() {
        if (!issuer) throw new Error('the partner issuer is not started');
        return issuer.jwksUrl;
      },
    },
  });
  return { app, tokens: () => tokens };
}
