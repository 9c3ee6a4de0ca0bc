import { sql } from 'kysely';
import type { Readable } from 'node:stream';
import { waitFor } from '@sp/testing';
import { copyCsv, createDb } from '../src/index';

/** copyCsv on our pool: bytes as Postgres writes them, and the connection always given back. */
const url = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const db = createDb(url, { max: 2 });

afterAll(() => db.destroy());

const readAll = async (stream: Readable): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Sessions of this database running a COPY, other than the caller's. */
const copiesRunning = async (): Promise<number> => {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and query ilike 'copy (%' and state = 'active'
      and pid <> pg_backend_pid()`.execute(db);
  return rows[0]!.n;
};

const rows = (count: number, width = 10) =>
  sql`select g as n, repeat('x', ${width}::int) || ${'"quoted", and\na line break'}::text as t
      from generate_series(1, ${count}::int) g order by g`.compile(db);

it('writes the prefix, then CRLF records with quoted line breaks kept, and gives the connection back', async () => {
  const stream = await copyCsv(db, rows(3, 1), { prefix: 'n,t\r\n', timeoutMs: 60_000 });
  const text = await readAll(stream);
  expect(text).toBe(
    'n,t\r\n' + [1, 2, 3].map((n) => `${n},"x""quoted"", and\na line break"\r\n`).join(''),
  );
  // Both connections are free again: two more at once still run.
  const [a, b] = await Promise.all([
    copyCsv(db, rows(1), { timeoutMs: 60_000 }),
    copyCsv(db, rows(1), { timeoutMs: 60_000 }),
  ]);
  expect((await readAll(a)).startsWith('1,')).toBe(true);
  expect((await readAll(b)).startsWith('1,')).toBe(true);
});

it('ends the COPY on the server when the reader goes away, and frees the connection', async () => {
  // ≈ 40 MB: far more than the sockets hold, so the server is still writing when the reader goes.
  for (let i = 0; i < 3; i++) {
    const stream = await copyCsv(db, rows(10_000, 4_000), { timeoutMs: 60_000 });
    await new Promise((resolve) => stream.once('data', resolve));
    stream.destroy();
  }
  await waitFor(async () => (await copiesRunning()) === 0, 'the abandoned COPYs to end', {
    timeoutMs: 10_000,
  });
  // The pool of two is not held by the three abandoned copies.
  expect(
    (await readAll(await copyCsv(db, rows(2), { timeoutMs: 60_000 }))).split('\r\n'),
  ).toHaveLength(3);
});

it('fails the stream with the server error when the COPY times out', async () => {
  const slow = sql`select pg_sleep(2) as s`.compile(db);
  const stream = await copyCsv(db, slow, { timeoutMs: 100 });
  await expect(readAll(stream)).rejects.toThrow(/statement timeout/);
  // The connection was discarded, not returned mid-transaction: the next one works.
  expect(await readAll(await copyCsv(db, rows(1), { timeoutMs: 60_000 }))).toMatch(/^1,/);
});

it('rejects before the first byte when it cannot connect', async () => {
  const down = createDb('postgres://postgres@127.0.0.1:1/postgres', {
    max: 1,
    connectionTimeoutMillis: 1_000,
  });
  try {
    await expect(copyCsv(down, rows(1), { timeoutMs: 60_000 })).rejects.toThrow(/ECONNREFUSED/);
  } finally {
    await down.destroy();
  }
});
