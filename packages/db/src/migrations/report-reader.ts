import { type Kysely, sql } from 'kysely';

/**
 * The read-only role the report builders use (`SET LOCAL ROLE sp_report_reader` inside their
 * transaction): it may read the published `report_*` views and nothing else. Roles belong to
 * the cluster, not to a database: parallel test databases (and rep-core's reports migration)
 * create it at the same moment, so a second creator's duplicate is not an error.
 */
export const REPORT_READER_ROLE = 'sp_report_reader';

export async function ensureReportReaderRole(db: Kysely<unknown>): Promise<void> {
  await sql`
    do $$
    begin
      if not exists (select from pg_roles where rolname = 'sp_report_reader') then
        create role sp_report_reader nologin;
      end if;
    exception
      -- Two creators at once: the loser sees either error, and the role exists either way.
      when duplicate_object or unique_violation then null;
    end
    $$`.execute(db);
}

/** Lets the role see `schema` (names only: a table still refuses it) and read `views`. */
export async function grantReportViews(
  db: Kysely<unknown>,
  schema: string,
  views: readonly string[],
): Promise<void> {
  await ensureReportReaderRole(db);
  await sql`grant usage on schema ${sql.id(schema)} to sp_report_reader`.execute(db);
  for (const view of views)
    await sql`grant select on ${sql.id(schema, view)} to sp_report_reader`.execute(db);
}

/**
 * Drops `views` and the role's use of `schema`. The role itself stays: it is the cluster's,
 * shared by every database and by the other schemas' views.
 */
export async function dropReportViews(
  db: Kysely<unknown>,
  schema: string,
  views: readonly string[],
): Promise<void> {
  for (const view of [...views].reverse())
    await sql`drop view if exists ${sql.id(schema, view)}`.execute(db);
  await sql`revoke usage on schema ${sql.id(schema)} from sp_report_reader`.execute(db);
}

/** `COMMENT ON VIEW` and one `COMMENT ON COLUMN` per column: a view is a contract. */
export async function documentView(
  db: Kysely<unknown>,
  schema: string,
  view: string,
  about: string,
  columns: Readonly<Record<string, string>>,
): Promise<void> {
  await sql`comment on view ${sql.id(schema, view)} is ${sql.lit(about)}`.execute(db);
  for (const [column, text] of Object.entries(columns))
    await sql`comment on column ${sql.id(schema, view, column)} is ${sql.lit(text)}`.execute(db);
}
