import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The registry's per-partner version: the snapshot keeps the event with the highest one,
  // whatever order events arrive in. 0 = a snapshot or event from before versions (those
  // order by source_updated_at among themselves; any versioned event is newer).
  await sql`alter table symposium.partner add column source_version bigint not null default 0`.execute(
    db,
  );
  // Retention pruning of processed messages walks this.
  await sql`create index processed_message_processed_at_idx
    on symposium.processed_message (processed_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index symposium.processed_message_processed_at_idx`.execute(db);
  await sql`alter table symposium.partner drop column source_version`.execute(db);
}
