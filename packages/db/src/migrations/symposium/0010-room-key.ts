import { type Kysely, sql } from 'kysely';

/**
 * One room however its name is written. The overlap rule of 0006 compared room names exactly,
 * so "Hall A" and "hall a" (or full-width "Ｈａｌｌ Ａ", or "Hall  A") at the same time were two
 * rooms, and one room could be booked twice. The rule now compares a key: Unicode NFKC (full-
 * and half-width forms alike), every run of white space as one space, trimmed, lower case.
 * The name is still stored and shown as it was typed. The constraint keeps its name, which the
 * service turns into its 409.
 *
 * Sessions the old rule let through (one room written two ways at overlapping times) would
 * make the new constraint fail to build with a bare Postgres error; the migration names them
 * instead, for staff to move or rename one of each pair before migrating again.
 */
const roomKey = (column: string) =>
  sql`lower(btrim(regexp_replace(normalize(${sql.ref(column)}, NFKC), '[[:space:]]+', ' ', 'g')))`;

const utc = (column: string) =>
  sql`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD HH24:MI')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows: clashes } = await sql<{ symposium: string; first: string; second: string }>`
    select a.symposium_id as symposium,
           format('%s (%s to %s UTC)', a.room, ${utc('a.starts_at')}, ${utc('a.ends_at')}) as first,
           format('%s (%s to %s UTC)', b.room, ${utc('b.starts_at')}, ${utc('b.ends_at')}) as second
      from symposium.session a
      join symposium.session b
        on b.symposium_id = a.symposium_id and b.id > a.id
       and ${roomKey('a.room')} = ${roomKey('b.room')}
       and tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
     order by a.symposium_id, a.starts_at
     limit 20`.execute(db);
  if (clashes.length > 0)
    throw new Error(
      `sessions booked into one room at overlapping times, the room written two ways; move or rename one of each pair, then migrate again: ${clashes
        .map((c) => `symposium ${c.symposium}: "${c.first}" and "${c.second}"`)
        .join('; ')}`,
    );
  await sql`alter table symposium.session drop constraint session_room_overlap`.execute(db);
  await sql`alter table symposium.session add constraint session_room_overlap exclude using gist (
      symposium_id with =,
      (${roomKey('room')}) with =,
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
