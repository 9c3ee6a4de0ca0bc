import { type Kysely, sql } from 'kysely';

/**
 * A public submission sent again is one inquiry. A retried POST /inquiries (a double click,
 * a form that timed out and tried again) made a second inquiry and a second acknowledgement.
 * A caller may send an `Idempotency-Key`: the inquiry keeps the key's SHA-256 (unique), a
 * digest of what was asked, and its status token sealed under a key derived from the
 * Idempotency-Key, so the same request again answers with the same receipt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table inquiries.inquiry
    add column client_key_hash text,
    add column client_request text,
    add column status_token_sealed text,
    add constraint inquiry_client_key_check check (
      (client_key_hash is null) = (client_request is null)
      and (client_key_hash is null) = (status_token_sealed is null))`.execute(db);
  await sql`create unique index inquiry_client_key_hash_key
    on inquiries.inquiry (client_key_hash) where client_key_hash is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index inquiries.inquiry_client_key_hash_key`.execute(db);
  await sql`alter table inquiries.inquiry
    drop constraint inquiry_client_key_check,
    drop column status_token_sealed,
    drop column client_request,
    drop column client_key_hash`.execute(db);
}
