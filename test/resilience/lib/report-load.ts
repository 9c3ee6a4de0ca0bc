import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createDb, type DB } from '@sp/db';
import { type Kysely, sql } from 'kysely';

/**
 * A modest generated data set for fiscal-year report builds: `partners` partners, `rows`
 * activities running from fiscal year `from` to `to` (so each year's report lists every one of
 * them: a build takes long enough for a kill to land in it) and `rows` mobility records spread
 * evenly over those years, written by SQL (`generate_series`) into the registry's base tables
 * the report views read.
 */
export async function writeReportData(
  databaseUrl: string,
  options: { tag: string; rows: number; from: number; to: number; partners?: number },
): Promise<void> {
  const { tag, rows, from, to, partners = 20 } = options;
  const years = to - from + 1;
  // Setting up the data is not what is tested: on a loaded machine 20,000 activities (each
  // through the registry's search triggers) took longer than the test database's statement
  // timeout, and then longer than its client-side query timeout too (a fresh-clone run's
  // "Query read timeout"), so the inserts run on a connection of their own with neither.
  const db = createDb(databaseUrl, { max: 1, statementTimeoutMillis: 0 });
  try {
    await db
      .transaction()
      .execute((trx) => insertReportData(trx, { tag, rows, from, years, to, partners }));
  } finally {
    await db.destroy();
  }
}

async function insertReportData(
  db: Kysely<DB>,
  o: { tag: string; rows: number; from: number; to: number; years: number; partners: number },
): Promise<void> {
  const { tag, rows, from, to, years, partners } = o;
  await sql`
    insert into registry.partner (name_en, country, status)
    select ${`Kill-test partner ${tag} `} || g, 'DE', 'strategic' from generate_series(1, ${partners}) g`.execute(
    db,
  );
  const ids = sql`(select array_agg(id order by name_en) from registry.partner where name_en like ${`Kill-test partner ${tag} %`})`;
  await sql`
    insert into registry.activity
      (partner_id, type, title_en, status, review_status, reported_by, created_by, starts_on, ends_on)
    select p.ids[1 + g % ${partners}], 'joint-research', ${`Activity ${tag} `} || g, 'ongoing',
           'approved', 'staff', 'resilience', make_date(${from}::int, 4 + g % 9, 1 + g % 28),
           make_date(${to}::int + 1, 1 + g % 3, 1 + g % 28)
      from generate_series(1, ${rows}) g, ${ids} as p(ids)`.execute(db);
  await sql`
    insert into registry.mobility_record
      (partner_id, fiscal_year, direction, person_type, programme, count, review_status, reported_by, created_by)
    select p.ids[1 + g % ${partners}], ${from}::int + g % ${years}, 'inbound', 'undergraduate',
           ${`Programme ${tag} `} || g, 1 + g % 5, 'approved', 'staff', 'resilience'
      from generate_series(1, ${rows}) g, ${ids} as p(ids)`.execute(db);
}

/** Every file under `root` (recursively), as paths relative to it; none if it does not exist. */
export async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

export const sha256Of = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
