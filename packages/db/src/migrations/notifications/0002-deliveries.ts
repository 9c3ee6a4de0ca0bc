import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per message: the idempotency key makes a second enqueue, or a retry, the same mail.
  await sql`
    create table notifications.delivery (
      id uuid primary key default gen_random_uuid(),
      idempotency_key text not null unique,
      template text not null,
      locale text not null check (locale in ('en', 'ja')),
      recipients text[] not null,
      status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
      attempts int not null default 0,
      provider_message_id text,
      last_error text,
      created_at timestamptz not null default now(),
      sent_at timestamptz
    )`.execute(db);
  await sql`create index delivery_status_idx on notifications.delivery (status, created_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table notifications.delivery`.execute(db);
}
