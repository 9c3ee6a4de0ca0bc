import { type Kysely, sql } from 'kysely';

/** The same audit table in every service's schema: who changed what, when, before and after. */
export const auditMigration = (schema: string) => ({
  async up(db: Kysely<unknown>): Promise<void> {
    const table = sql.table(`${schema}.audit_log`);
    await sql`
      create table ${table} (
        id bigint generated always as identity primary key,
        at timestamptz not null default now(),
        actor_kind text not null check (actor_kind in ('staff', 'partner', 'anonymous', 'system')),
        actor_id text,
        entity text not null,
        entity_id text not null,
        action text not null,
        before jsonb,
        after jsonb,
        request_id text
      )`.execute(db);
    await sql`create index ${sql.id(`${schema}_audit_log_entity_idx`)} on ${table} (entity, entity_id, id)`.execute(
      db,
    );
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop table ${sql.table(`${schema}.audit_log`)}`.execute(db);
  },
});
