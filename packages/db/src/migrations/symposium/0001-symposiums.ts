import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table symposium.symposium (
      id uuid primary key default gen_random_uuid(),
      edition int unique check (edition > 0),
      title_en text not null,
      title_ja text,
      held_on date not null unique,
      campus text check (campus in ('hongo','komaba','kashiwa')),
      venue text,
      format text check (format in ('in-person','online','hybrid')),
      stream_url text,
      status text not null check (status in ('planned','announced','registration-open','closed','held','report-published')),
      participants int check (participants >= 0),
      participants_qualifier text check (participants_qualifier in ('about','over','exactly')),
      organiser text,
      note text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table symposium.document (
      id uuid primary key default gen_random_uuid(),
      symposium_id uuid not null references symposium.symposium (id) on delete cascade,
      kind text not null check (kind in ('report','announcement','panel-summary','video','programme','other')),
      language text not null check (language in ('en','ja')),
      title text not null,
      url text,
      published_in text,
      published boolean not null default false,
      position int not null default 0,
      created_at timestamptz not null default now(),
      unique (symposium_id, kind, language, title)
    )`.execute(db);
  await sql`create index document_symposium_idx on symposium.document (symposium_id, position)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table symposium.document`.execute(db);
  await sql`drop table symposium.symposium`.execute(db);
}
