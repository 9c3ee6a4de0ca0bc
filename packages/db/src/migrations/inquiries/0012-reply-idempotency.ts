import { type Kysely, sql } from 'kysely';

/**
 * A staff reply sent again is one reply. A retried POST of a reply (a double click, a client
 * that timed out and tried again) inserted a second message and mailed the inquirer twice
 * (found by helper-42's review). A caller may send an `Idempotency-Key` with it: the message
 * keeps the key and a digest of what was asked, unique per inquiry, and the same key again
 * answers with the inquiry as it is, writing and mailing nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table inquiries.message
    add column client_key text,
    add column client_request text,
    add constraint message_client_key_check check ((client_key is null) = (client_request is null))`.execute(
    db,
  );
  await sql`create unique index message_client_key_key
    on inquiries.message (inquiry_id, client_key) where client_key is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index inquiries.message_client_key_key`.execute(db);
  await sql`alter table inquiries.message
    drop constraint message_client_key_check,
    drop column client_request,
    drop column client_key`.execute(db);
}
