import { type Kysely, sql } from 'kysely';

/**
 * One mail waits for review once. The receiver looked for its Message-ID before storing it,
 * but two deliveries of the same mail at once (a sender's retry while the first was still
 * storing its files) both found none and both were stored (found by helper-42's review). A
 * unique index now decides; a later copy of a Message-ID already there keeps its row but
 * loses the id, so the index can be built over data written before it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update inquiries.inbound_message m set message_id = null
    where exists (select 1 from inquiries.inbound_message first
                  where first.message_id = m.message_id
                    and (first.received_at, first.id) < (m.received_at, m.id))`.execute(db);
  await sql`create unique index inbound_message_message_id_key
    on inquiries.inbound_message (message_id) where message_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index inquiries.inbound_message_message_id_key`.execute(db);
}
