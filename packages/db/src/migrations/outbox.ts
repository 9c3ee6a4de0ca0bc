import { type Kysely, sql } from 'kysely';

/**
 * The transactional outbox of a producing schema: a row written in the same transaction as
 * the change it announces; a relay moves it to the queues and marks it sent. Each insert
 * notifies `<schema>_outbox`, so relays wake at once (they also poll, in case one is missed).
 */
export const outboxMigration = (schema: string) => ({
  async up(db: Kysely<unknown>): Promise<void> {
    const table = sql.table(`${schema}.outbox`);
    await sql`
      create table ${table} (
        id uuid primary key default gen_random_uuid(),
        topic text not null,
        name text not null,
        payload jsonb not null,
        created_at timestamptz not null default now(),
        sent_at timestamptz
      )`.execute(db);
    await sql`create index ${sql.id(`${schema}_outbox_pending_idx`)} on ${table} (created_at) where sent_at is null`.execute(
      db,
    );
    await sql`create index ${sql.id(`${schema}_outbox_sent_idx`)} on ${table} (sent_at) where sent_at is not null`.execute(
      db,
    );
    await sql`
      create function ${sql.id(schema, 'outbox_notify')}() returns trigger language plpgsql as $$
      begin
        perform pg_notify(${sql.lit(`${schema}_outbox`)}, '');
        return null;
      end $$`.execute(db);
    await sql`
      create trigger outbox_notify after insert on ${table}
      for each statement execute function ${sql.id(schema, 'outbox_notify')}()`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop table ${sql.table(`${schema}.outbox`)}`.execute(db);
    await sql`drop function ${sql.id(schema, 'outbox_notify')}()`.execute(db);
  },
});

/**
 * What a consuming schema needs: the messages it has processed (so a message delivered twice
 * has its effect once) and its snapshot of the registry's partners.
 */
export const consumerMigration = (schema: string) => ({
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      create table ${sql.table(`${schema}.processed_message`)} (
        consumer text not null,
        message_id text not null,
        processed_at timestamptz not null default now(),
        primary key (consumer, message_id)
      )`.execute(db);
    await sql`
      create table ${sql.table(`${schema}.partner`)} (
        id uuid primary key,
        name_en text not null,
        name_ja text,
        country char(2) not null,
        status text not null,
        source_updated_at timestamptz not null,
        synced_at timestamptz not null default now()
      )`.execute(db);
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop table ${sql.table(`${schema}.partner`)}`.execute(db);
    await sql`drop table ${sql.table(`${schema}.processed_message`)}`.execute(db);
  },
});
