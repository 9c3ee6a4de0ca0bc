// The pg pool of a baseline server: the size the service's pool has (DATABASE_POOL_MAX), and, as
// in @sp/db's createPool, `date` columns kept as `YYYY-MM-DD` text (a JS Date would shift them by
// the zone). `options` adds what a baseline needs to match its service (timeouts, keep-alive).

import pg from 'pg';

const DATE_OID = 1082;

export function baselinePool(applicationName, options = {}) {
  return new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_MAX || 10),
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    types: {
      getTypeParser: (oid, format) =>
        oid === DATE_OID ? (value) => value : pg.types.getTypeParser(oid, format ?? 'text'),
    },
    ...options,
  });
}
