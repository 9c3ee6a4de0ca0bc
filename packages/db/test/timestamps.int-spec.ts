import fc from 'fast-check';
import pg from 'pg';
import parseTimestamp from 'postgres-date';
import { createClient, createPool } from '../src/index';

/**
 * Our pools read `timestamp` and `timestamptz` with postgres-date 2 (create-db.ts); node-postgres'
 * own parser is postgres-date 1. Whatever Postgres writes, in whatever session time zone, both
 * must give the same Date: here real columns are read through our pool and compared with the
 * default parser on the same text. No tables: the values are built in the select.
 */
const url = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const pool = createPool(url, { max: 1 });

afterAll(() => pool.end());

const defaultParser = {
  timestamptz: pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text'),
  timestamp: pg.types.getTypeParser(pg.types.builtins.TIMESTAMP, 'text'),
};

it("parses timestamps with postgres-date 2, not with node-postgres' default", () => {
  const { types } = pool.options as { types?: typeof pg.types };
  for (const oid of [pg.types.builtins.TIMESTAMP, pg.types.builtins.TIMESTAMPTZ]) {
    expect(types?.getTypeParser(oid, 'text')).toBe(parseTimestamp);
    expect(pg.types.getTypeParser(oid, 'text')).not.toBe(parseTimestamp);
  }
});

/** A parsed value as something `toEqual` compares exactly: a Date's time, or ±Infinity. */
const comparable = (value: unknown): unknown => (value instanceof Date ? value.getTime() : value);

/**
 * Session time zones whose output differs in shape: whole hours, half and quarter hours, and
 * zones whose offset before standard time had seconds (Amsterdam +00:19:32 until 1937, Tokyo
 * +09:18:59 until 1888), which Postgres writes as `+09:18:59`.
 */
const ZONES = [
  'UTC',
  'Asia/Tokyo',
  'America/St_Johns',
  'Asia/Kathmandu',
  'Europe/Amsterdam',
  'America/Los_Angeles',
];

type Read = { text: string; ours: unknown; pgs: unknown };

/**
 * Each of `micros` (microseconds since 1970, as text) as a `timestamptz` and as a `timestamp` in
 * the session zone `zone`: the text Postgres sent, what our pool parsed and what node-postgres'
 * default parser makes of the same text.
 */
async function read(zone: string, micros: string[]): Promise<Read[]> {
  const client = await pool.connect();
  try {
    await client.query(`set time zone '${zone}'`);
    const { rows } = await client.query<{
      tz: unknown;
      plain: unknown;
      tz_text: string;
      plain_text: string;
    }>(
      `select t as tz, t::timestamp as plain, t::text as tz_text, t::timestamp::text as plain_text
         from (select 'epoch'::timestamptz + m * interval '1 microsecond' as t
                 from unnest($1::bigint[]) as m) as s`,
      [micros],
    );
    return rows.flatMap((row) => [
      { text: row.tz_text, ours: row.tz, pgs: defaultParser.timestamptz(row.tz_text) },
      { text: row.plain_text, ours: row.plain, pgs: defaultParser.timestamp(row.plain_text) },
    ]);
  } finally {
    await client.query('reset time zone');
    client.release();
  }
}

const expectSame = (reads: Read[]) => {
  for (const { text, ours, pgs } of reads) {
    expect({ text, parsed: comparable(ours) }).toEqual({ text, parsed: comparable(pgs) });
  }
};

it('reads what Postgres writes for edge cases as the default parser does', async () => {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ value: unknown; text: string }>(
      `select v as value, v::text as text from (values
         ('infinity'::timestamptz), ('-infinity'::timestamptz),
         ('2026-12-04 16:17:44.123456+00'), ('2026-12-04 16:17:44.9999995+00'),
         ('2026-12-04 16:17:44+05:45'), ('1888-01-01 00:00:00+09:18:59'),
         ('0099-06-30 12:00:00+00'), ('0001-01-01 00:00:00+00'),
         ('0044-03-15 12:00:00+00 BC'), ('4713-01-01 00:00:00+00 BC'),
         ('275760-09-13 00:00:00+00'), ('294276-12-31 23:59:59.999999+00')) as s(v)`,
    );
    expect(rows).toHaveLength(12);
    const reads = rows.map((row) => ({
      text: row.text,
      ours: row.value,
      pgs: defaultParser.timestamptz(row.text),
    }));
    expectSame(reads);
    // Not vacuous: real Dates and both infinities came back. The last JS Date is 275760-09-13;
    // Postgres' last instant, past it, is an Invalid Date for both parsers.
    const valid = reads.filter((r) => r.ours instanceof Date && !Number.isNaN(r.ours.getTime()));
    expect(valid).toHaveLength(9);
    expect(comparable(reads[10]?.ours)).toBe(8.64e15);
    expect(comparable(reads[11]?.ours)).toBeNaN();
    expect(reads.map((r) => r.ours)).toEqual(expect.arrayContaining([Infinity, -Infinity]));
    expect(comparable(reads[2]?.ours)).toBe(Date.UTC(2026, 11, 4, 16, 17, 44, 123));
  } finally {
    client.release();
  }
});

it('reads random instants from 4000 BC to 9999 AD in six session zones as the default parser does', async () => {
  // Microseconds from 4000-01-01 BC to 9999-12-31 AD.
  const instant = fc.bigInt({ min: -188_395_009_600_000_000n, max: 253_402_300_799_999_999n });
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ZONES),
      fc.array(instant, { minLength: 1, maxLength: 40 }),
      async (zone, micros) => {
        expectSame(await read(zone, micros.map(String)));
      },
    ),
    { numRuns: 200 },
  );
});

it('gives a single connection (report builds) the same parsers as the pool', async () => {
  const client = createClient(url);
  await client.connect();
  try {
    const { rows } = await client.query<{ t: unknown; d: unknown }>(
      `select '2026-12-04 16:17:44.5+09'::timestamptz as t, '2026-12-04'::date as d`,
    );
    expect(comparable(rows[0]?.t)).toBe(Date.UTC(2026, 11, 4, 7, 17, 44, 500));
    expect(rows[0]?.d).toBe('2026-12-04');
  } finally {
    await client.end();
  }
});
