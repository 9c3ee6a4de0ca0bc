import { sql } from 'kysely';
import { createDb } from '../src/index';

/** Kysely's `.stream()` on our pool: a whole stream's read timer goes with the stream. */
const url = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const db = createDb(url, { max: 1 });

afterAll(() => db.destroy());

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

it('leaves no timer behind once a stream has ended, read to the end or broken off', async () => {
  const before = timers();
  const rows = sql<{ n: number }>`(select generate_series(1, 500) as n)`;
  let read = 0;
  for await (const row of db.selectFrom(rows.as('s')).selectAll().stream(100)) read += row.n;
  expect(read).toBe((500 * 501) / 2);
  for await (const row of db.selectFrom(rows.as('s')).selectAll().stream(100)) {
    expect(row.n).toBe(1);
    break;
  }
  // The pool's own idle timer may come and go; the stream's 30-minute read timer must not stay.
  expect(timers()).toBeLessThanOrEqual(before + 1);
});
