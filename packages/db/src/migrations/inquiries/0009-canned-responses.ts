import { type Kysely, sql } from 'kysely';

/** Canned responses: the desk's reusable answers, in English and Japanese. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table inquiries.canned_response (
      id uuid primary key default gen_random_uuid(),
      title text not null check (length(title) between 1 and 200),
      body_en text not null check (length(body_en) between 1 and 20000),
      body_ja text not null check (length(body_ja) between 1 and 20000),
      version bigint not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index canned_response_title_key on inquiries.canned_response (lower(title))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table inquiries.canned_response`.execute(db);
}
