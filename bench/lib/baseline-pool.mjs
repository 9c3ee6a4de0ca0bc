// The pg pool of a baseline server: the size the service's pool has (DATABASE_POOL_MAX), and, as
// in @sp/db's createPool, `date` columns kept as `YYYY-MM-DD` text (a JS Date would shift them by
// the zone). `options` adds what a baseline needs to match its service (timeouts, keep-alive).
//
// Timestamps are parsed by node-postgres' default parser (postgres-date 1), as a plain Fastify +
// pg server would. The services read them with postgres-date 2, a faster parser that gives the
// same Dates (packages/db/src/create-db.ts). BENCH_BASELINE_TIMESTAMPS=postgres-date-2 gives the
// baselines that parser too, to measure the platform's cost without that difference.

import { createRequire } from 'node:module';
import pg from 'pg';

const DATE_OID = 1082;
const TIMESTAMP_OIDS = new Set([1114, 1184]);

function timestampParser() {
  const choice = process.env.BENCH_BASELINE_TIMESTAMPS;
  if (!choice || choice === 'default') return undefined;
  if (choice !== 'postgres-date-2') {
    throw new Error(
      `BENCH_BASELINE_TIMESTAMPS: expected default or postgres-date-2, got ${choice}`,
    );
  }
  // The services' own copy, from @sp/db's dependencies.
  return createRequire(new URL('../../packages/db/package.json', import.meta.url))('postgres-date');
}

const parseTimestamp = timestampParser();

export function baselinePool(applicationName, options = {}) {
  return new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_MAX || 10),
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    types: {
      getTypeParser: (oid, format) =>
        oid === DATE_OID
          ? (value) => value
          : parseTimestamp && TIMESTAMP_OIDS.has(oid) && (format ?? 'text') === 'text'
            ? parseTimestamp
            : pg.types.getTypeParser(oid, format ?? 'text'),
    },
    ...options,
  });
}
