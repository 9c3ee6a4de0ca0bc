import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import type { AppDescription, PlatformOptions } from '@sp/platform';
import {
  createTestDatabase,
  dropRedisKeys,
  type LogLine,
  type RunningApp,
  startApp,
  staffToken,
  type TestApp,
  type TestDatabase,
  testConfig,
  TestPartnerIssuer,
} from '@sp/testing';
import { partnerScopes, type PartnerScope, type StaffRole } from '@sp/types';
import fc from 'fast-check';
import { quick } from './lib/suite';
import { sql } from 'kysely';
import {
  type Json,
  nastyShortString,
  nastyString,
  nearMissArb,
  type Schema,
  type SchemaContext,
  serialise,
  validArb,
  wrongValue,
} from './fuzz-schema';

/**
 * The fuzz half of the resilience suite: for every operation of a service's committed OpenAPI
 * document, fast-check generates valid, near-miss and arbitrary requests (path ids, queries,
 * headers, bodies) from every kind of caller, sends them to the app running in-process on real
 * Postgres and Redis, and checks each answer:
 *   - no 5xx;
 *   - every 4xx is `application/problem+json` with RFC 9457's `type`, `title` and `status`;
 *   - no error body carries a stack trace, a file path or SQL;
 *   - a refused (4xx) request changes no row (per-table row counts of the test database,
 *     taken after every request of a writing operation and around each batch of reads).
 * Replay: the seed is printed; `FUZZ_SEED=<n>` repeats a run, `FUZZ_RUNS=<n>` changes the
 * number of cases per operation (default 200).
 */

export type ServiceName = 'partner-registry' | 'symposium' | 'inquiries' | 'worker';

export type Operation = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As in the document, e.g. `/partners/{id}`. */
  path: string;
  params: { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: Schema }[];
  /** Content type → schema of the request body, when the operation takes one. */
  body?: Record<string, Schema>;
};

type OpenApiDocument = {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Operation['params'];
        requestBody?: { content: Record<string, { schema: Schema }> };
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
};

const documentPath = (service: ServiceName) =>
  join(__dirname, '..', '..', 'packages', 'client', 'openapi', `${service}.json`);

export function loadDocument(service: ServiceName): {
  operations: Operation[];
  schemas: Record<string, Schema>;
} {
  const doc = JSON.parse(readFileSync(documentPath(service), 'utf8')) as OpenApiDocument;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const content = op.requestBody?.content;
      operations.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        params: op.parameters ?? [],
        body: content
          ? Object.fromEntries(Object.entries(content).map(([type, c]) => [type, c.schema]))
          : undefined,
      });
    }
  }
  return { operations, schemas: doc.components.schemas };
}

// ---------------------------------------------------------------------------------------------
// Callers

/** Every kind of caller the fuzzer sends as. */
export const fuzzCallers = [
  'anonymous',
  'viewer',
  'staff',
  'admin',
  'partner',
  'partnerNoScope',
  'otherPartner',
  'garbageToken',
] as const;
export type FuzzCaller = (typeof fuzzCallers)[number];

/** Staff callers are weighted up so that more cases get past the guards to validation and below. */
const callerArb: fc.Arbitrary<FuzzCaller> = fc.oneof(
  { arbitrary: fc.constant('admin' as const), weight: 4 },
  { arbitrary: fc.constant('staff' as const), weight: 2 },
  { arbitrary: fc.constant('partner' as const), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      'anonymous' as const,
      'viewer' as const,
      'partnerNoScope' as const,
      'otherPartner' as const,
      'garbageToken' as const,
    ),
    weight: 3,
  },
);

const garbageTokens = [
  'Bearer ',
  'Bearer a.b.c',
  'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJhZG1pbiJdfQ.',
  'Basic YWRtaW46YWRtaW4=',
  'bearer\tx',
  `Bearer ${'A'.repeat(9_000)}`,
  'Bearer ../../etc/passwd',
  "Bearer ' OR 1=1 --",
];

/** Mints (and renews every few minutes) a token per caller; partner tokens come from `partnerToken`. */
export function tokenSource(
  partnerToken: (who: 'partner' | 'partnerNoScope' | 'otherPartner') => Promise<string>,
) {
  const cache = new Map<FuzzCaller, { token: string; at: number }>();
  return async (caller: FuzzCaller): Promise<string | undefined> => {
    if (caller === 'anonymous' || caller === 'garbageToken') return undefined;
    const cached = cache.get(caller);
    if (cached && Date.now() - cached.at < 240_000) return cached.token;
    const token =
      caller === 'viewer' || caller === 'staff' || caller === 'admin'
        ? await staffToken(caller satisfies StaffRole)
        : await partnerToken(caller);
    cache.set(caller, { token, at: Date.now() });
    return token;
  };
}

// ---------------------------------------------------------------------------------------------
// The app under test

export type FuzzApp = {
  ctx: TestApp;
  issuer: () => TestPartnerIssuer;
};

/**
 * A service running in-process on the file's own database, as `useTestApp` starts it, with
 * a partner-token issuer (for the services that verify partner tokens from a JWKS), storage in
 * a temporary folder, and rate limits out of the way: the public limit raised, and the client
 * address taken from `X-Forwarded-For` (one hop), which every case sets to an address of its
 * own, so the routes with a fixed limit (sign-ups: 10 a minute) are not refused wholesale.
 */
export function useFuzzApp(
  module: (options: Omit<PlatformOptions, 'service'>) => DynamicModule,
  description: AppDescription,
  env: Record<string, string> = {},
): FuzzApp {
  let database: TestDatabase | undefined;
  let running: RunningApp | undefined;
  let issuer: TestPartnerIssuer | undefined;
  const storage = mkdtempSync(join(tmpdir(), 'sp-fuzz-'));
  beforeAll(async () => {
    issuer = await TestPartnerIssuer.start();
    database = await createTestDatabase();
    running = await startApp(
      module,
      testConfig({
        DATABASE_URL: database.url,
        AUTH_PARTNER_JWKS_URL: issuer.jwksUrl,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000',
        TRUST_PROXY_HOPS: '1',
        STORAGE_DIR: storage,
        MAIL_DIR: join(storage, 'mail'),
        ...env,
      }),
      description,
    );
  }, 60_000);
  afterAll(async () => {
    await running?.close();
    await database?.drop();
    await issuer?.close();
    await dropRedisKeys();
    rmSync(storage, { recursive: true, force: true });
  });
  return {
    ctx: {
      get database() {
        if (!database) throw new Error('the database is not set up yet');
        return database;
      },
      get running() {
        if (!running) throw new Error('the app is not started yet');
        return running;
      },
    },
    issuer: () => {
      if (!issuer) throw new Error('the partner issuer is not started yet');
      return issuer;
    },
  };
}

/** Partner tokens from the stand-in issuer: every scope, none, and another partner's. */
export function issuerPartnerTokens(app: FuzzApp, partnerId: string, otherPartnerId: string) {
  return (who: 'partner' | 'partnerNoScope' | 'otherPartner') =>
    who === 'partner'
      ? app.issuer().token(partnerId, [...partnerScopes] as PartnerScope[])
      : who === 'otherPartner'
        ? app.issuer().token(otherPartnerId, [...partnerScopes] as PartnerScope[])
        : app.issuer().token(partnerId, []);
}

// ---------------------------------------------------------------------------------------------
// Cases

export type FuzzCase = {
  caller: FuzzCaller;
  /** The path with its parameters filled in (already percent-encoded). */
  path: string;
  query: string;
  headers: Record<string, string>;
  body?: { text?: string; form?: { name: string; value: string; file?: string }[] };
  /** How the body was made, for the report. */
  bodyKind: string;
};

/** Percent-encodes any string, lone surrogates too (as their WTF-8 bytes, which are not valid UTF-8). */
export function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    let out = '';
    for (const ch of value) {
      const code = ch.charCodeAt(0);
      if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff)
        out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((b) => `%${b.toString(16).toUpperCase()}`)
          .join('');
      else out += encodeURIComponent(ch);
    }
    return out;
  }
}

/** Header values fetch can send: Latin-1 without NUL, CR or LF. */
const headerString = (maxLength: number) =>
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength,
  });

const hugeHeader = fc.integer({ min: 8_000, max: 40_000 }).map((n) => 'h'.repeat(n));
/** Mostly ordinary values, sometimes a header too large for the server. */
const headerOf = (...arbs: fc.Arbitrary<string>[]) =>
  fc.oneof({ arbitrary: fc.oneof(...arbs), weight: 30 }, { arbitrary: hugeHeader, weight: 1 });

const contentTypes = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/json; charset=utf-16',
  'application/json;;;',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  'text/csv',
  'application/octet-stream',
  '*/*',
  'application/json, text/plain',
];

const pathGarbage: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'not-a-uuid',
    '0',
    '-1',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '%2F..%2F..%2Fetc%2Fpasswd',
    '..%2F',
    '%2e%2e',
    '%00',
    '%ZZ',
    '%',
    '%C0%AF',
    '%ED%A0%80',
    'a%2Fb',
    "'%3B%20drop%20table%20x%3B--",
    '%7B%7B7*7%7D%7D',
    'null',
    'undefined',
    '__proto__',
    '1e309',
  ),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `${u}x`),
  fc.integer({ min: 101, max: 20_000 }).map((n) => '9'.repeat(n)),
  nastyString.map(encode),
);

/** Builds the case arbitrary of one operation. */
export function caseArb(
  op: Operation,
  ctx: SchemaContext & {
    /** Real values for path parameters by the segment they follow (`partners` → partner ids). */
    pathValues: (segment: string, name: string) => string[];
  },
): fc.Arbitrary<FuzzCase> {
  const segments = op.path.split('/');
  const pathParams = op.params.filter((p) => p.in === 'path');
  const pathArbs = pathParams.map((p) => {
    const index = segments.indexOf(`{${p.name}}`);
    const known = ctx.pathValues(segments[index - 1] ?? '', p.name);
    const valid = validArb(p.schema, ctx).map((v) =>
      encode(typeof v === 'string' ? v : JSON.stringify(v)),
    );
    return fc.oneof(
      ...(known.length
        ? [
            { arbitrary: fc.constantFrom(...known), weight: 5 },
            // The same resources by their ids in upper case, which z.uuid() takes: a 500 once.
            { arbitrary: fc.constantFrom(...known).map((v) => v.toUpperCase()), weight: 2 },
          ]
        : []),
      { arbitrary: valid, weight: 2 },
      { arbitrary: pathGarbage, weight: 3 },
    );
  });
  const queryParams = op.params.filter((p) => p.in === 'query');
  const queryArb = fc
    .tuple(
      fc.tuple(
        ...queryParams.map((p) =>
          fc.option(
            fc.oneof(
              { arbitrary: validArb(p.schema, ctx), weight: 3 },
              { arbitrary: wrongValue, weight: 2 },
              { arbitrary: nastyShortString, weight: 2 },
            ),
            { freq: 2 },
          ),
        ),
      ),
      fc.dictionary(
        fc.oneof(nastyShortString, fc.constantFrom('__proto__[x]', 'a[b][c]', 'limit[]')),
        nastyShortString,
        {
          maxKeys: 2,
        },
      ),
      fc.oneof(
        { arbitrary: fc.constant(''), weight: 8 },
        fc.constantFrom('&&==&', '%zz', '%ED%A0%80=1', '&limit=1&limit=2', '?'),
      ),
    )
    .map(([values, extra, raw]) => {
      const pairs: string[] = [];
      const add = (name: string, value: Json) => {
        if (Array.isArray(value)) for (const v of value) add(name, v);
        else if (value !== null && typeof value === 'object')
          pairs.push(`${encode(name)}=${encode(JSON.stringify(value))}`);
        else pairs.push(`${encode(name)}=${encode(String(value))}`);
      };
      queryParams.forEach((p, i) => {
        const value = values[i];
        if (value !== null && value !== undefined) add(p.name, value);
      });
      for (const [k, v] of Object.entries(extra)) add(k, v);
      const query = pairs.join('&') + raw;
      return query ? `?${query}` : '';
    });

  const jsonSchema = op.body?.['application/json'];
  const multipartSchema = op.body?.['multipart/form-data'];
  const csv = op.body?.['text/csv'];
  const valid = jsonSchema
    ? validArb(jsonSchema, ctx)
    : fc.jsonValue({ maxDepth: 2 }).map((v) => v as Json);
  const jsonBody = (arb: fc.Arbitrary<Json>, kind: string) =>
    arb.map((v) => ({ body: { text: serialise(v) }, type: 'application/json', kind }));
  const bodyArbs: fc.Arbitrary<{ body?: FuzzCase['body']; type?: string; kind: string }>[] = [
    fc.constant({ kind: 'none' }),
    jsonBody(valid, 'valid'),
    jsonBody(nearMissArb(valid), 'near-miss'),
    jsonBody(wrongValue, 'arbitrary'),
    fc
      .constantFrom(
        '{',
        '{"a":',
        '[1,]',
        "{'a':1}",
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"admin":true}}}',
        '\u0000',
        'null',
        '"string"',
        '1e999999',
        '{"a":"\\ud800"}',
        '\ufeff{}',
      )
      .map((text) => ({ body: { text }, type: 'application/json', kind: 'malformed' })),
    fc.tuple(fc.integer({ min: 1_000, max: 50_000 }), fc.boolean()).map(([n, arrays]) => ({
      body: {
        text: arrays ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n),
      },
      type: 'application/json',
      kind: 'deep',
    })),
  ];
  const weighted: fc.WeightedArbitrary<{ body?: FuzzCase['body']; type?: string; kind: string }>[] =
    [
      { arbitrary: bodyArbs[0]!, weight: op.body ? 1 : 6 },
      { arbitrary: bodyArbs[1]!, weight: jsonSchema ? 6 : 1 },
      { arbitrary: bodyArbs[2]!, weight: jsonSchema ? 8 : 1 },
      { arbitrary: bodyArbs[3]!, weight: 2 },
      { arbitrary: bodyArbs[4]!, weight: 1 },
      { arbitrary: bodyArbs[5]!, weight: 1 },
      {
        // Over the 1 MiB body limit.
        arbitrary: fc.constant({
          body: { text: `{"a":"${'x'.repeat(1_100_000)}"}` },
          type: 'application/json',
          kind: 'oversized',
        }),
        weight: 1,
      },
    ];
  if (multipartSchema) {
    const formArb = fc
      .tuple(
        fc.oneof(validArb(multipartSchema, ctx), nearMissArb(validArb(multipartSchema, ctx))),
        fc.array(
          fc.record({
            name: fc.constantFrom('file', 'files', 'attachments', 'attachment', 'x'),
            value: fc.oneof(
              fc.constantFrom(
                '%PDF-1.4\n%%EOF\n',
                '\x89PNG\r\n\x1a\n',
                'MZ\x90\x00',
                '<?php echo 1;',
              ),
              nastyString,
            ),
            file: fc.oneof(
              fc.constantFrom(
                'a.pdf',
                '../../etc/passwd',
                'a\u0000.pdf',
                'ファイル.pdf',
                '.htaccess',
                'x'.repeat(300),
              ),
              nastyString,
            ),
          }),
          { maxLength: 3 },
        ),
      )
      .map(([fields, files]) => {
        const form: { name: string; value: string; file?: string }[] = [];
        if (fields && typeof fields === 'object' && !Array.isArray(fields))
          for (const [name, value] of Object.entries(fields))
            form.push({ name, value: typeof value === 'string' ? value : JSON.stringify(value) });
        form.push(...files);
        return { body: { form }, kind: 'multipart' };
      });
    weighted.push({ arbitrary: formArb, weight: 10 });
    weighted.push({
      arbitrary: fc.constantFrom(
        {
          body: { text: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--' },
          type: 'multipart/form-data; boundary=y',
          kind: 'multipart-bad',
        },
        { body: { text: 'no boundary' }, type: 'multipart/form-data', kind: 'multipart-bad' },
        {
          body: { text: '--x\r\n\r\n' },
          type: 'multipart/form-data; boundary=x',
          kind: 'multipart-bad',
        },
      ),
      weight: 2,
    });
  }
  if (csv) {
    const csvArb = fc
      .array(
        fc.array(fc.oneof(fc.string({ maxLength: 12 }), nastyString), {
          minLength: 1,
          maxLength: 6,
        }),
        {
          minLength: 0,
          maxLength: 6,
        },
      )
      .map((rows) => ({
        body: {
          text: rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n'),
        },
        type: 'text/csv',
        kind: 'csv',
      }));
    weighted.push({ arbitrary: csvArb, weight: 10 });
  }

  const headerArb = fc.record(
    {
      'content-type': headerOf(fc.constantFrom(...contentTypes), headerString(60)),
      'if-match': headerOf(
        fc.constantFrom(
          '*',
          '"1"',
          '"2"',
          'W/"1"',
          '"0"',
          '"-1"',
          '"99999999999999999999"',
          '"',
          '*, "1"',
          '""',
          'garbage',
        ),
        headerString(60),
      ),
      'accept-language': headerOf(
        fc.constantFrom(
          'ja',
          'en',
          '*',
          'ja-JP,en;q=0.5',
          'xx;q=abc',
          ';;;',
          'en;q=2',
          'q=0.5',
          '-',
        ),
        headerString(80),
        fc.constant(Array.from({ length: 500 }, (_, i) => `l${i};q=0.${i % 10}`).join(',')),
      ),
      accept: fc.constantFrom(
        'application/xml',
        '*/*',
        'text/csv',
        'application/problem+json',
        'garbage/;;',
      ),
      'x-request-id': headerOf(
        headerString(40),
        fc.constantFrom('../../x', '<script>', 'a'.repeat(5_000)),
      ),
      authorization: fc.constantFrom(...garbageTokens),
    },
    { requiredKeys: [] },
  );

  return fc
    .record({
      caller: callerArb,
      params: fc.tuple(...pathArbs),
      query: queryArb,
      body: fc.oneof(...weighted),
      headers: fc.option(headerArb, { freq: 2 }),
      forwardedFor: fc.oneof(
        { arbitrary: fc.ipV4(), weight: 20 },
        {
          arbitrary: fc.constantFrom('garbage', '::1', '1.2.3.4, 5.6.7.8', '999.1.1.1'),
          weight: 1,
        },
      ),
    })
    .map(({ caller, params, query, body: drawn, headers, forwardedFor }) => {
      // fetch sends no body with a GET.
      const body = op.method === 'GET' ? { kind: 'none' } : drawn;
      let path = op.path;
      pathParams.forEach((p, i) => {
        path = path.replace(`{${p.name}}`, params[i]!);
      });
      const all: Record<string, string> = { 'x-forwarded-for': forwardedFor };
      if (body.type) all['content-type'] = body.type;
      // Writes mostly carry a matching If-Match, so they get past the precondition sometimes.
      if (op.params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match'))
        all['if-match'] = '*';
      for (const [name, value] of Object.entries(headers ?? {})) {
        // A wrong content type only where there is a body to be wrong about.
        if (name === 'content-type' && !body.body) continue;
        // A garbage Authorization only for the caller who sends garbage.
        if (name === 'authorization') continue;
        all[name] = value;
      }
      if (caller === 'garbageToken')
        all['authorization'] =
          headers?.authorization ?? garbageTokens[params.length % garbageTokens.length]!;
      return { caller, path, query, headers: all, body: body.body, bodyKind: body.kind };
    });
}

// ---------------------------------------------------------------------------------------------
// Checks

/** What must never be in an answer: a stack frame, a path of a source file, SQL or Postgres's words. */
const leakPatterns: { what: string; pattern: RegExp }[] = [
  { what: 'stack trace', pattern: /\bat (?:async )?[\w$.<>]+ \(.*:\d+:\d+\)/ },
  { what: 'stack trace', pattern: /\n\s+at\s/ },
  { what: 'file path', pattern: /(?:\/[\w.@-]+){2,}\.(?:[cm]?[jt]s)\b/ },
  { what: 'file path', pattern: /node_modules\// },
  {
    what: 'SQL',
    pattern:
      /\b(?:select|insert into|update|delete from)\b[^"]{0,200}"(?:registry|symposium|inquiries|notifications|reports|public)"\./i,
  },
  { what: 'SQL', pattern: /\bselect\b[\s\S]{1,200}\bfrom\b[\s\S]{1,100}\bwhere\b/i },
  { what: 'SQL', pattern: /\$\d+\b.*\b(?:values|where|set)\b|\b(?:values|where|set)\b.*\$\d+\b/i },
  {
    what: 'Postgres error',
    pattern:
      /syntax error at or near|violates (?:foreign key|unique|check|not-null) constraint|duplicate key value|relation "[^"]+" does not exist|column "[^"]+" (?:of relation|does not exist)|invalid input syntax for|invalid byte sequence for encoding/i,
  },
];

/** The leaks in an error body, leaving out text the request itself sent (an echo is not a leak). */
export function leaksIn(body: string, sent: string): string[] {
  const found: string[] = [];
  for (const { what, pattern } of leakPatterns) {
    const match = pattern.exec(body);
    if (match && !sent.includes(match[0])) found.push(`${what}: ${match[0].slice(0, 120)}`);
  }
  return found;
}

export type Violation = {
  operation: string;
  problem: string;
  status: number;
  caller: FuzzCaller;
  request: string;
  body: string;
  /** The app's error log lines for the request, when it logged any. */
  log?: string[];
};

/** Problems with one answer (none: the answer keeps every property). */
export function checkAnswer(
  status: number,
  contentType: string | null,
  body: string,
  sent: string,
): string[] {
  const problems: string[] = [];
  if (status >= 500) problems.push(`answered ${status}`);
  if (status >= 400) {
    if (!/^application\/problem\+json/.test(contentType ?? ''))
      problems.push(`error answered as ${contentType ?? 'no content type'}`);
    else {
      try {
        const problem = JSON.parse(body) as Record<string, unknown>;
        if (typeof problem['type'] !== 'string' || typeof problem['title'] !== 'string')
          problems.push('problem without type or title');
        if (problem['status'] !== status)
          problems.push(`problem status ${String(problem['status'])} ≠ ${status}`);
        if ('detail' in problem && typeof problem['detail'] !== 'string')
          problems.push('problem detail is not a string');
      } catch {
        problems.push('problem body is not JSON');
      }
    }
    problems.push(...leaksIn(body, sent));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Row counts

/** One query counting the rows of every table of the database (the file's own). */
export async function rowCounter(
  database: TestDatabase,
): Promise<() => Promise<Record<string, number>>> {
  const tables = await sql<{ schema: string; name: string }>`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
    order by 1, 2`.execute(database.db);
  const parts = tables.rows.map(
    ({ schema, name }) =>
      sql`select ${`${schema}.${name}`}::text as t, count(*)::int as n from ${sql.id(schema, name)}`,
  );
  const query = sql.join(parts, sql` union all `);
  return async () => {
    const { rows } = await sql<{ t: string; n: number }>`${query}`.execute(database.db);
    return Object.fromEntries(rows.map((r) => [r.t, r.n]));
  };
}

const diffCounts = (before: Record<string, number>, after: Record<string, number>) =>
  Object.keys(after)
    .filter((t) => before[t] !== after[t])
    .map((t) => `${t} ${before[t] ?? 0}→${after[t]}`);

// ---------------------------------------------------------------------------------------------
// The run

export type FuzzReport = {
  service: ServiceName;
  seed: number;
  operations: number;
  cases: number;
  statuses: Record<number, number>;
  seconds?: number;
  perOperation: { operation: string; cases: number; statuses: Record<number, number> }[];
  violations: Violation[];
  /** Every error body the run received, for the security checks. */
  errorBodies: { operation: string; status: number; body: string; sent: string }[];
};

export type FuzzOptions = {
  service: ServiceName;
  app: TestApp;
  token: (caller: FuzzCaller) => Promise<string | undefined>;
  knownIds: string[];
  pathValues: (segment: string, name: string) => string[];
  /** Operations to leave out, each with the reason (printed). */
  skip?: Record<string, string>;
};

const describeRequest = (op: Operation, c: FuzzCase) => {
  const body = c.body?.text ?? (c.body?.form ? JSON.stringify(c.body.form) : '');
  const url = `${c.path}${c.query}`;
  return `${op.method} ${url.slice(0, 300)}${url.length > 300 ? `… (${url.length} chars)` : ''} as ${c.caller} [${c.bodyKind}] headers=${JSON.stringify(
    Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k, v.slice(0, 80)])),
  )} body=${body.slice(0, 300)}${body.length > 300 ? `… (${body.length} chars)` : ''}`;
};

async function send(baseUrl: string, op: Operation, c: FuzzCase, token: string | undefined) {
  const headers = new Headers();
  for (const [k, v] of Object.entries(c.headers)) headers.set(k, v);
  if (token) headers.set('authorization', `Bearer ${token}`);
  let body: string | FormData | undefined = c.body?.text;
  if (c.body?.form) {
    const form = new FormData();
    for (const part of c.body.form) {
      if (part.file !== undefined) form.append(part.name, new Blob([part.value]), part.file);
      else form.append(part.name, part.value);
    }
    body = form;
    headers.delete('content-type'); // fetch sets it, with the boundary
  }
  const res = await fetch(`${baseUrl}${c.path}${c.query}`, {
    method: op.method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: text,
    requestId: res.headers.get('x-request-id'),
  };
}

/** Reads in flight at once (writes go one at a time, to attribute row changes). */
const READ_CONCURRENCY = 4;

/**
 * Cases per operation: the issue's 200 in the full suite (`npm run test:resilience`), 20 in the
 * short variant `npm test` runs (RESILIENCE_QUICK=1), so the whole test run stays within minutes;
 * `FUZZ_RUNS` overrides both.
 */
export const fuzzRuns = (): number => Number(process.env['FUZZ_RUNS'] ?? (quick ? 20 : 200));

/** Fuzzes every operation of the service's document; returns what it saw (violations included). */
export async function fuzzService(
  options: FuzzOptions,
  schemas: Record<string, Schema>,
  operations: Operation[],
): Promise<FuzzReport> {
  const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2_147_483_647);
  const runs = fuzzRuns();
  const { running, database } = options.app;
  const counts = await rowCounter(database);
  const report: FuzzReport = {
    service: options.service,
    seed,
    operations: 0,
    cases: 0,
    statuses: {},
    perOperation: [],
    violations: [],
    errorBodies: [],
  };
  const logsOf = (logs: LogLine[], requestId: string | null) =>
    requestId
      ? logs
          .filter(
            (l) =>
              l.requestId === requestId ||
              (l['req'] as { id?: string } | undefined)?.id === requestId,
          )
          .map((l) => JSON.stringify(l).slice(0, 2_000))
      : [];
  // Every caller's token first: the registry makes its signing key on the first one it issues.
  for (const caller of fuzzCallers) await options.token(caller);
  const started = Date.now();
  for (const [index, op] of operations.entries()) {
    const name = `${op.method} ${op.path}`;
    if (options.skip?.[name]) continue;
    report.operations++;
    const cases = fc.sample(
      caseArb(op, { schemas, knownIds: options.knownIds, pathValues: options.pathValues }),
      { numRuns: runs, seed: seed + index },
    );
    const statuses: Record<number, number> = {};
    const reads = op.method === 'GET';
    let before = await counts();
    const runCase = async (c: FuzzCase) => {
      const request = describeRequest(op, c);
      const sent = `${decodeSafe(c.path)}${decodeSafe(c.query)}${c.body?.text ?? JSON.stringify(c.body?.form ?? '')}${JSON.stringify(c.headers)}`;
      let answer: Awaited<ReturnType<typeof send>>;
      try {
        answer = await send(running.url, op, c, await options.token(c.caller));
      } catch (error) {
        // Headers over Node's 16 KiB are answered 431 (414 for the URL) and the socket closed at
        // once: a client still sending its body may see the reset before the answer. Not the
        // app's failure. The client adds up to ~1 KiB of its own (host, a multipart boundary,
        // content-length, user-agent, accept…): a 15,530-character path failed this way.
        const headerBytes =
          c.path.length + c.query.length + Object.values(c.headers).join('').length;
        if (headerBytes > 15_000) {
          statuses[0] = (statuses[0] ?? 0) + 1;
          return;
        }
        report.violations.push({
          operation: name,
          problem: `request failed: ${String(error)}`,
          status: 0,
          caller: c.caller,
          request,
          body: '',
        });
        return;
      }
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
      report.cases++;
      if (answer.status >= 400)
        report.errorBodies.push({
          operation: name,
          status: answer.status,
          body: answer.body,
          sent,
        });
      const problems = checkAnswer(answer.status, answer.contentType, answer.body, sent);
      // A write is counted after each case, so a change is the case's own.
      if (!reads) {
        const after = await counts();
        const changed = diffCounts(before, after);
        if (changed.length && answer.status >= 400)
          problems.push(`a refused request changed rows: ${changed.join(', ')}`);
        before = after;
      }
      for (const problem of problems)
        report.violations.push({
          operation: name,
          problem,
          status: answer.status,
          caller: c.caller,
          request,
          body: answer.body.slice(0, 600),
          log: answer.status >= 500 ? logsOf(running.logs.lines, answer.requestId) : undefined,
        });
    };
    if (reads) {
      // Reads go a few at a time; the batch as a whole must change no row.
      for (let i = 0; i < cases.length; i += READ_CONCURRENCY)
        await Promise.all(cases.slice(i, i + READ_CONCURRENCY).map(runCase));
    } else {
      for (const c of cases) await runCase(c);
    }
    if (reads) {
      const changed = diffCounts(before, await counts());
      if (changed.length)
        report.violations.push({
          operation: name,
          problem: `reads changed rows: ${changed.join(', ')}`,
          status: 0,
          caller: 'anonymous',
          request: '(the batch)',
          body: '',
        });
    }
    report.perOperation.push({ operation: name, cases: cases.length, statuses });
  }
  report.seconds = Math.round((Date.now() - started) / 1000);
  return report;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The report as a few lines: per service, operations, cases and the statuses seen. */
export function printReport(report: FuzzReport): void {
  const statuses = Object.entries(report.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  const lines = [
    `fuzz ${report.service}: ${report.operations} operations, ${report.cases} cases in ${report.seconds ?? '?'} s (seed ${report.seed}); statuses ${statuses}; violations ${report.violations.length}`,
  ];
  if (process.env['FUZZ_VERBOSE'])
    for (const op of report.perOperation)
      lines.push(
        `  ${op.operation}: ${Object.entries(op.statuses)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
      );
  const seen = new Set<string>();
  for (const v of report.violations) {
    const key = `${v.operation} ${v.problem.slice(0, 60)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(
      `  ✗ ${v.operation}: ${v.problem}\n    ${v.request}\n    → ${v.status} ${v.body.slice(0, 300)}${v.log?.length ? `\n    log: ${v.log.join('\n         ').slice(0, 1_500)}` : ''}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
