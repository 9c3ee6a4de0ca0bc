import { createTestDatabase, type TestDatabase } from '@sp/testing';
import { sql } from 'kysely';
import { migrateToLatest, rollbackBefore } from '../src/index';

/**
 * reports/0004 expires the partner-profile files built for partners before they were built
 * without staff-only data, so pruning deletes them; nothing else is touched.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await rollbackBefore(database.db, 'reports', '0004-partner-runs-expire');
});
afterAll(() => database.drop());

it("expires partners' built profiles, and only those", async () => {
  const { db } = database;
  const later = new Date(Date.now() + 30 * 24 * 3600 * 1000);
  const run = (
    requesterKind: 'staff' | 'partner',
    kind: 'partner-profile' | 'fiscal-year',
    state: 'succeeded' | 'queued',
  ) =>
    db
      .insertInto('reports.run')
      .values({
        kind,
        format: 'csv',
        params: '{}',
        paramsKey: `${requesterKind}:${kind}:${state}`,
        requesterKind,
        state,
        expiresAt: later,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  const partners = await run('partner', 'partner-profile', 'succeeded');
  const queued = await run('partner', 'partner-profile', 'queued');
  const staffs = await run('staff', 'partner-profile', 'succeeded');
  await migrateToLatest(db);
  const { rows } = await sql<{ id: string; expired: boolean }>`
    select id, expires_at <= now() as expired from reports.run`.execute(db);
  const expired = Object.fromEntries(rows.map((r) => [r.id, r.expired]));
  expect(expired).toEqual({ [partners.id]: true, [queued.id]: false, [staffs.id]: false });
});
