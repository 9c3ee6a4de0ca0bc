import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Exchange counts per Japanese fiscal year (April–March; `fiscal_year` 2025 runs from
  // 2025-04-01 to 2026-03-31). One row per partner, year, direction, person type and
  // programme: a second report of the same cell is an update, not a new row. Partners report
  // theirs (submitted), staff approve or return; totals count approved rows only.
  await sql`
    create table registry.mobility_record (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid not null references registry.partner (id) on delete cascade,
      fiscal_year int not null check (fiscal_year between 1990 and 2200),
      direction text not null check (direction in ('inbound','outbound')),
      person_type text not null check (person_type in ('undergraduate','graduate','researcher','administrative-staff')),
      programme text not null check (length(programme) between 1 and 200),
      count int not null check (count between 0 and 1000000),
      note text,
      review_status text not null check (review_status in ('submitted','approved','returned')),
      review_comment text,
      reviewed_by text,
      reviewed_at timestamptz,
      reported_by text not null check (reported_by in ('staff','partner')),
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      version bigint not null default 1,
      constraint mobility_record_cell_key unique (partner_id, fiscal_year, direction, person_type, programme)
    )`.execute(db);
  await sql`create index mobility_record_year_idx on registry.mobility_record (fiscal_year, partner_id)`.execute(
    db,
  );
  await sql`create index mobility_record_created_idx on registry.mobility_record (created_at desc, id desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table registry.mobility_record`.execute(db);
}
