import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table registry.partner (
      id uuid primary key default gen_random_uuid(),
      name_en text not null check (length(name_en) between 1 and 200),
      name_ja text,
      country char(2) not null check (country ~ '^[A-Z]{2}$'),
      region text check (region in ('asia','oceania','europe','north-america','latin-america','middle-east','africa')),
      website text,
      status text not null check (status in ('prospective','strategic','primary','ended')),
      status_since date not null default current_date,
      member_institutions text[] not null default '{}',
      summary_en text,
      summary_ja text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  // One partner per name, whatever the case: a second "ETH Zurich" is a mistake, not a partner.
  await sql`create unique index partner_name_en_key on registry.partner (lower(name_en))`.execute(
    db,
  );
  // Keyset pagination: each sort order has an index ending in the id tie-breaker.
  await sql`create index partner_name_en_id_idx on registry.partner (name_en, id)`.execute(db);
  await sql`create index partner_country_id_idx on registry.partner (country, id)`.execute(db);
  await sql`create index partner_created_at_id_idx on registry.partner (created_at, id)`.execute(
    db,
  );
  await sql`create index partner_status_idx on registry.partner (status)`.execute(db);

  await sql`
    create table registry.partner_status_change (
      id bigint generated always as identity primary key,
      partner_id uuid not null references registry.partner (id) on delete cascade,
      from_status text,
      to_status text not null,
      changed_on date not null,
      note text,
      recorded_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index partner_status_change_partner_idx on registry.partner_status_change (partner_id, id)`.execute(
    db,
  );

  await sql`
    create table registry.agreement (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid not null references registry.partner (id) on delete cascade,
      kind text not null check (kind in ('memorandum','strategic-partnership','exchange','joint-degree','other')),
      title text not null,
      signed_on date,
      signed_year int check (signed_year between 1900 and 2200),
      renewed_on date,
      expires_on date,
      note text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (partner_id, title)
    )`.execute(db);
  await sql`create index agreement_expires_on_idx on registry.agreement (expires_on) where expires_on is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table registry.agreement`.execute(db);
  await sql`drop table registry.partner_status_change`.execute(db);
  await sql`drop table registry.partner`.execute(db);
}
