import { type Kysely, sql } from 'kysely';

/**
 * One room however its name is written. The overlap rule of 0006 compared room names exactly,
 * so "Hall A" and "hall a" (or full-width "Ｈａｌｌ Ａ", or "Hall  A") at the same time were two
 * rooms, and one room could be booked twice. The rule now compares a key: Unicode NFKC (full-
 * and half-width forms alike), every run of white space as one space, trimmed, lower case.
 * The name is still stored and shown as it was typed. The constraint keeps its name, which the
 * service turns into its 409.
 */
const roomKey = sql`lower(btrim(regexp_replace(normalize(room, NFKC), '[[:space:]]+', ' ', 'g')))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table symposium.session drop constraint session_room_overlap`.execute(db);
  await sql`alter table symposium.session add constraint session_room_overlap exclude using gist (
      symposium_id with =,
      (${roomKey}) with =,
      tstzrange(starts_at, ends_at, '[)') with &&
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table symposium.session drop constraint session_room_overlap`.execute(db);
  await sql`alter table symposium.session add constraint session_room_overlap exclude using gist (
      symposium_id with =,
      room with =,
      tstzrange(starts_at, ends_at, '[)') with &&
    )`.execute(db);
}
