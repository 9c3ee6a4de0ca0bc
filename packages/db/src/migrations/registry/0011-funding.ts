import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // External funding won (or sought) with a partner. The amount is exact: `numeric`, never a
  // float, with at most four decimals (the most any ISO 4217 currency has); the API checks
  // the currency's own minor units and carries it as a string.
  await sql`
    create table registry.funding (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid not null references registry.partner (id) on delete cascade,
      activity_id uuid references registry.activity (id) on delete set null,
      source text not null check (length(source) between 1 and 300),
      scheme text check (length(scheme) between 1 and 300),
      amount numeric(22, 4) not null check (amount >= 0),
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      fiscal_year int not null check (fiscal_year between 1990 and 2200),
      status text not null check (status in ('applied','awarded','rejected')),
      note text,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      version bigint not null default 1
    )`.execute(db);
  await sql`create index funding_partner_idx on registry.funding (partner_id, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index funding_created_idx on registry.funding (created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index funding_activity_idx on registry.funding (activity_id) where activity_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table registry.funding`.execute(db);
}
