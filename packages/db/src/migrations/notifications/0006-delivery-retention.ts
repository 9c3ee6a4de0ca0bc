import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The attempt that holds a `sending` delivery: the job id and BullMQ's lock token of that
  // run. A run of the same job after its lock was lost has another token, so it cannot take
  // over a delivery the first run may still be sending.
  await sql`alter table notifications.delivery add column claim_token text`.execute(db);
  // The admin list: newest first with the id tie-breaker (keyset pages), and `to=` filters
  // with `recipients @> array[...]`, which a GIN index serves.
  await sql`create index delivery_created_at_id_idx
    on notifications.delivery (created_at desc, id desc)`.execute(db);
  await sql`create index delivery_recipients_idx
    on notifications.delivery using gin (recipients)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index notifications.delivery_recipients_idx`.execute(db);
  await sql`drop index notifications.delivery_created_at_id_idx`.execute(db);
  await sql`alter table notifications.delivery drop column claim_token`.execute(db);
}
