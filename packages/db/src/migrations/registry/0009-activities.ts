import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Projects and activities done with a partner. Staff record them directly (approved); a
  // partner reports its own (draft → submitted), staff approve or return them with a comment
  // the partner reads. Only an approved one with the public flag is ever shown publicly, and
  // `published_at` (set while both hold) orders the "Recent Activities" feed.
  await sql`
    create table registry.activity (
      id uuid primary key default gen_random_uuid(),
      partner_id uuid not null references registry.partner (id) on delete cascade,
      type text not null check (type in ('joint-research','education-programme','mobility-programme','joint-symposium','funding-bid','other')),
      title_en text not null check (length(title_en) between 1 and 300),
      title_ja text check (length(title_ja) between 1 and 300),
      summary_en text,
      summary_ja text,
      departments text[] not null default '{}',
      leads text[] not null default '{}',
      starts_on date,
      ends_on date,
      status text not null check (status in ('planned','ongoing','completed','cancelled')),
      is_public boolean not null default false,
      links jsonb not null default '[]',
      outputs jsonb not null default '{"papers":[],"events":[],"studentsInvolved":null}',
      review_status text not null check (review_status in ('draft','submitted','approved','returned')),
      review_comment text,
      reviewed_by text,
      reviewed_at timestamptz,
      submitted_at timestamptz,
      published_at timestamptz,
      reported_by text not null check (reported_by in ('staff','partner')),
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      version bigint not null default 1,
      constraint activity_period_check check (ends_on is null or starts_on is null or ends_on >= starts_on),
      constraint activity_published_check check (published_at is null or (is_public and review_status = 'approved'))
    )`.execute(db);
  await sql`create index activity_partner_created_idx on registry.activity (partner_id, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index activity_created_idx on registry.activity (created_at desc, id desc)`.execute(
    db,
  );
  // The public feed walks this index newest first; rows that are not public are not in it.
  await sql`create index activity_published_idx on registry.activity (published_at desc, id desc) where published_at is not null`.execute(
    db,
  );
  await sql`create index activity_review_idx on registry.activity (review_status) where review_status = 'submitted'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table registry.activity`.execute(db);
}
