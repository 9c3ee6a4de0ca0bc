// What the http-read benchmark's baselines do for `GET /partners?limit=N` (the first page), and
// no less than the partner-registry service does for it:
//   - the caller's staff token checked as the service checks it, a token verified before
//     answered from memory until it expires, as the service's TokenVerifier does (see `isViewer`);
//   - the same SQL text the service's Kysely query compiles to (same columns, order and
//     limit + 1, as an unnamed prepared statement with the limit as a parameter);
//   - a pg Pool of the same size and settings, `date` columns kept as strings like @sp/db does;
//   - the same mapping of rows to the contract's Partner shape (ISO timestamps) and the same
//     nextCursor computation as the service's `list` and `encodeCursor`;
//   - the contract's response schema (`pageSchema`), for Fastify's compiled serializer.
// Used by baseline-server.mjs (plain Fastify) and baseline-nest-server.mjs (Nest on Fastify).
//
// Environment: DATABASE_URL, DATABASE_POOL_MAX (default 10), AUTH_DEV_KEY_FILE and
// AUTH_AUDIENCE (default strategic-partnerships), like the service.

import { readFileSync } from 'node:fs';
import { baselinePool } from './baseline-pool.mjs';

export const pool = baselinePool('bench-baseline');

// Staff tokens, checked as the service's TokenVerifier and AuthGuard check a token of the
// development issuer: the `Bearer` header, an ES256 signature by the key in AUTH_DEV_KEY_FILE,
// issuer, audience, expiry (5 s of leeway) and a staff role; every staff role reaches `viewer`
// routes. The signature goes through WebCrypto, as in the service (jose uses it): Node runs it on the
// libuv thread pool, off the main thread, and a baseline checking it differently would not be
// comparing like with like.
const DEV_STAFF_ISSUER = 'urn:sp:dev-staff-issuer';
const ES256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const audience = process.env.AUTH_AUDIENCE || 'strategic-partnerships';
const staffKey = await crypto.subtle.importKey(
  'jwk',
  JSON.parse(readFileSync(process.env.AUTH_DEV_KEY_FILE, 'utf8')).publicJwk,
  ES256,
  false,
  ['verify'],
);
const staffRoles = new Set(['viewer', 'staff', 'admin']);
const decodePart = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/**
 * Tokens verified before, with the time (ms) they stop being answered from memory: the service's
 * TokenVerifier keeps each verified token until its `exp` or its `iat` plus the issuer's maximum
 * age, whichever comes first, and so does this. Without it the baseline checked the signature of
 * every request while the service checked it once per token (its cache came in b25ef1a), and the
 * ratio counted that check (0.2–0.3 ms of CPU a request, about half on libuv's thread pool) in
 * the service's favour.
 */
const verified = new Map();
const CACHE_SIZE = 10_000;
/** The service's default AUTH_MAX_TOKEN_AGE_SECONDS. */
const MAX_TOKEN_AGE_SECONDS = 3_600;

export async function isViewer(authorization) {
  const token = /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i.exec(authorization?.trim() ?? '')?.[1];
  if (token === undefined) return false;
  const until = verified.get(token);
  if (until !== undefined) {
    if (until > Date.now()) return true;
    verified.delete(token);
  }
  const claims = await verifiedClaims(token);
  if (!claims) return false;
  if (verified.size >= CACHE_SIZE) verified.delete(verified.keys().next().value);
  verified.set(token, Math.min(claims.exp, claims.iat + MAX_TOKEN_AGE_SECONDS) * 1000);
  return true;
}

/** The token's claims if it is a valid viewer's, else undefined. */
async function verifiedClaims(token) {
  const [header, payload, signature] = token.split('.');
  if (!signature) return undefined;
  try {
    if (decodePart(header).alg !== 'ES256') return undefined;
    const signed = await crypto.subtle.verify(
      ES256,
      staffKey,
      Buffer.from(signature, 'base64url'),
      Buffer.from(`${header}.${payload}`),
    );
    if (!signed) return undefined;
    const claims = decodePart(payload);
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const viewer =
      claims.iss === DEV_STAFF_ISSUER &&
      audiences.includes(audience) &&
      typeof claims.exp === 'number' &&
      claims.exp + 5 > Date.now() / 1000 &&
      // As jose's requiredClaims and maxTokenAge in the service: issued, and not too long ago.
      typeof claims.iat === 'number' &&
      Date.now() / 1000 - claims.iat - 5 <= MAX_TOKEN_AGE_SECONDS &&
      Boolean(claims.sub) &&
      Array.isArray(claims.roles) &&
      claims.roles.some((role) => staffRoles.has(role));
    return viewer ? claims : undefined;
  } catch {
    return undefined;
  }
}

// Exactly what PartnerRepository.list compiles to for `sort=nameEn` without filters or cursor.
export const firstPageSql =
  'select *, name_en as "sort_value" from "registry"."partner" order by "name_en" asc, "id" asc limit $1';

/** As @sp/types' `joinPartialDate`: a stored first day shown at its precision. */
const precisionLength = { year: 4, month: 7, day: 10 };

/** As the service's `toPartner` (for a staff caller), from the snake_case row. */
const toPartner = (row) => ({
  id: row.id,
  nameEn: row.name_en,
  nameJa: row.name_ja,
  country: row.country,
  region: row.region,
  website: row.website,
  status: row.status,
  statusSince: row.status_since.slice(0, precisionLength[row.status_since_precision]),
  memberInstitutions: row.member_institutions,
  summaryEn: row.summary_en,
  summaryJa: row.summary_ja,
  city: row.city,
  logoUrl: row.logo_url,
  tags: row.tags,
  coordinatingDepartment: row.coordinating_department,
  // A staff token sees the partner's UTokyo coordinator.
  coordinator:
    row.coordinator_name !== null && row.coordinator_email !== null
      ? {
          name: row.coordinator_name,
          email: row.coordinator_email,
          locale: row.coordinator_locale ?? 'ja',
        }
      : null,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  version: Number(row.version),
});

/** As the service's `encodeCursor`. */
const encodeCursor = (sort, value, id) =>
  Buffer.from(JSON.stringify({ s: sort, v: value, i: id })).toString('base64url');

const nullable = (type) => ({ type: [type, 'null'] });

// The Partner page contract (packages/types: pageOf(partnerSchema)), written the way a plain
// Fastify app would, properties in the same order so the bytes match the service's.
export const pageSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          nameEn: { type: 'string' },
          nameJa: nullable('string'),
          country: { type: 'string' },
          region: nullable('string'),
          website: nullable('string'),
          status: { type: 'string' },
          statusSince: { type: 'string' },
          memberInstitutions: { type: 'array', items: { type: 'string' } },
          summaryEn: nullable('string'),
          summaryJa: nullable('string'),
          city: nullable('string'),
          logoUrl: nullable('string'),
          tags: { type: 'array', items: { type: 'string' } },
          coordinatingDepartment: nullable('string'),
          // A nullable type, as the service's serializerSchema writes it (a union of branches
          // would have the serializer run a validator on every value to pick one).
          coordinator: {
            ...nullable('object'),
            properties: {
              name: { type: 'string' },
              email: { type: 'string' },
              locale: { type: 'string' },
            },
            required: ['name', 'email', 'locale'],
            additionalProperties: false,
          },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
          version: { type: 'integer' },
        },
        required: [
          'id',
          'nameEn',
          'nameJa',
          'country',
          'region',
          'website',
          'status',
          'statusSince',
          'memberInstitutions',
          'summaryEn',
          'summaryJa',
          'city',
          'logoUrl',
          'tags',
          'coordinatingDepartment',
          'createdAt',
          'updatedAt',
          'version',
        ],
        additionalProperties: false,
      },
    },
    nextCursor: nullable('string'),
  },
  required: ['items', 'nextCursor'],
  additionalProperties: false,
};

/**
 * `limit` as the service's contract reads it (an integer 1..200, default 50), or undefined when
 * the query asks for something else: only the first page in the default sort is implemented
 * here, and a baseline must refuse what it does not do rather than answer it wrongly.
 */
export function parseLimit(query) {
  if (Object.keys(query).some((key) => key !== 'limit')) return undefined;
  if (query.limit === undefined) return 50;
  const limit = Number(query.limit);
  return Number.isInteger(limit) && limit >= 1 && limit <= 200 ? limit : undefined;
}

/** The first page of `limit` partners and its cursor, as the service answers it. */
export async function firstPage(limit) {
  const { rows } = await pool.query(firstPageSql, [limit + 1]);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toPartner),
    nextCursor:
      rows.length > limit && last ? encodeCursor('nameEn', last.sort_value, last.id) : null,
  };
}
