import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A message's files in the order they were attached (they share one transaction's time).
  await sql`alter table inquiries.attachment add column position smallint not null default 0`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table inquiries.attachment drop column position`.execute(db);
}
