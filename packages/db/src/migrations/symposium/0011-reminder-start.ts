import { type Kysely, sql } from 'kysely';

/**
 * A reminder is kept per start, not per registration alone. Its row said only "the 3-day
 * reminder went out", so after staff moved the symposium (another date, start time or time
 * zone) nobody got the reminders of the new start (found by helper-41's review). Each row now
 * holds the start it was sent for, and the reminders of another start are due again. Rows
 * already there get the start their symposium has now.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table symposium.registration_reminder add column starts_at timestamptz`.execute(
    db,
  );
  await sql`update symposium.registration_reminder m
    set starts_at = (s.held_on + coalesce(s.starts_at, time '00:00')) at time zone s.time_zone
    from symposium.registration r join symposium.symposium s on s.id = r.symposium_id
    where r.id = m.registration_id`.execute(db);
  await sql`alter table symposium.registration_reminder
    alter column starts_at set not null,
    drop constraint registration_reminder_pkey,
    add primary key (registration_id, starts_at, offset_minutes)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Of a registration's rows for one offset, the latest start's is kept.
  await sql`delete from symposium.registration_reminder m
    using symposium.registration_reminder later
    where later.registration_id = m.registration_id and later.offset_minutes = m.offset_minutes
      and later.starts_at > m.starts_at`.execute(db);
  await sql`alter table symposium.registration_reminder
    drop constraint registration_reminder_pkey,
    add primary key (registration_id, offset_minutes),
    drop column starts_at`.execute(db);
}
