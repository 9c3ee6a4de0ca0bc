import { type Kysely, sql } from 'kysely';

/**
 * The programme: sessions with times, room and people (chair, moderator, speakers, panellists;
 * a person may be linked to a partner of the local snapshot). Two sessions in one room never
 * overlap: an exclusion constraint (btree_gist) over the symposium, the room and the session's
 * time range (room names are a venue's own: "Hall A" of two campuses are two rooms),
 * so concurrent writers cannot both pass a check made before the insert. Ranges are half-open
 * (`[)`): a session may start when the one before it in the room ends. A published programme
 * is a snapshot taken by the publish action; later edits stay a draft until published again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists btree_gist`.execute(db);
  await sql`
    create table symposium.session (
      id uuid primary key default gen_random_uuid(),
      symposium_id uuid not null references symposium.symposium (id) on delete cascade,
      kind text not null check (kind in ('keynote','talk','panel-discussion','break','networking')),
      title_en text,
      title_ja text,
      description_en text,
      description_ja text,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      room text,
      version bigint not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint session_title_check check (title_en is not null or title_ja is not null),
      constraint session_times_check check (ends_at > starts_at),
      constraint session_room_overlap exclude using gist (
        symposium_id with =,
        room with =,
        tstzrange(starts_at, ends_at, '[)') with &&
      )
    )`.execute(db);
  await sql`create index session_symposium_idx on symposium.session (symposium_id, starts_at)`.execute(
    db,
  );
  await sql`
    create table symposium.session_person (
      id uuid primary key default gen_random_uuid(),
      session_id uuid not null references symposium.session (id) on delete cascade,
      role text not null check (role in ('chair','moderator','speaker','panelist')),
      name_en text,
      name_ja text,
      affiliation_en text,
      affiliation_ja text,
      partner_id uuid references symposium.partner (id) on delete set null,
      position int not null default 0,
      constraint session_person_name_check check (name_en is not null or name_ja is not null)
    )`.execute(db);
  await sql`create index session_person_session_idx on symposium.session_person (session_id, position)`.execute(
    db,
  );
  await sql`create index session_person_partner_idx on symposium.session_person (partner_id)`.execute(
    db,
  );
  await sql`
    create table symposium.programme_publication (
      symposium_id uuid primary key references symposium.symposium (id) on delete cascade,
      sessions jsonb not null,
      published_at timestamptz not null default now(),
      published_by text
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table symposium.programme_publication`.execute(db);
  await sql`drop table symposium.session_person`.execute(db);
  await sql`drop table symposium.session`.execute(db);
}
