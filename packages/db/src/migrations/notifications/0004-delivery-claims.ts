import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A delivery being sent is claimed ('sending') by one job until `claimed_until`, instead of
  // holding a row lock (and a pooled connection) open for as long as the SMTP server takes.
  // The claiming job may take it over at once (it is retried after its process died); another
  // job with the same idempotency key waits until the claim is released or has expired.
  await sql`alter table notifications.delivery add column claimed_until timestamptz`.execute(db);
  await sql`alter table notifications.delivery drop constraint delivery_status_check`.execute(db);
  await sql`alter table notifications.delivery add constraint delivery_status_check
    check (status in ('pending', 'sending', 'sent', 'failed'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update notifications.delivery set status = 'pending' where status = 'sending'`.execute(
    db,
  );
  await sql`alter table notifications.delivery drop constraint delivery_status_check`.execute(db);
  await sql`alter table notifications.delivery add constraint delivery_status_check
    check (status in ('pending', 'sent', 'failed'))`.execute(db);
  await sql`alter table notifications.delivery drop column claimed_until`.execute(db);
}
