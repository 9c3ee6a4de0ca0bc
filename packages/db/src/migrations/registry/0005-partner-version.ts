import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Incremented by every committed change, in the UPDATE that makes it: under the row lock the
  // updates take, versions follow commit order, which `updated_at` (the transaction's start
  // time, cut to milliseconds in events) does not. Carried in `partner.*` events so consumers
  // keep the newest state whatever order the events arrive in.
  await sql`alter table registry.partner add column version bigint not null default 1`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table registry.partner drop column version`.execute(db);
}
