import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The queue job that last tried the delivery: when an admin retries that very job after a
  // final failure (the dashboard's "retry"), the delivery is tried again; any other job with
  // the same idempotency key still finds it failed and sends nothing.
  await sql`alter table notifications.delivery add column job_id text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table notifications.delivery drop column job_id`.execute(db);
}
