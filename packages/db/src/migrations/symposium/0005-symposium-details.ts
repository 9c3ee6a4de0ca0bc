import { type Kysely, sql } from 'kysely';
import { outboxMigration } from '../outbox';

const outbox = outboxMigration('symposium');

/**
 * Symposiums in full: bilingual title, description, venue and note (either language may be
 * missing, a title needs one), start and end times in a time zone (Asia/Tokyo unless given),
 * expected attendance, a version for If-Match, and the status `closed` renamed to
 * `registration-closed` (what it closes is registration, not the symposium). And the
 * symposium's outbox: its domain events and the mail its changes cause commit with them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await outbox.up(db);
  await sql`alter table symposium.symposium
    alter column title_en drop not null,
    add constraint symposium_title_check check (title_en is not null or title_ja is not null),
    add column description_en text,
    add column description_ja text,
    add column venue_ja text,
    add column note_ja text,
    add column starts_at time,
    add column ends_at time,
    add column time_zone text not null default 'Asia/Tokyo',
    add column expected_attendance int check (expected_attendance >= 0),
    add column version bigint not null default 1,
    add constraint symposium_times_check check (ends_at is null or starts_at is null or ends_at > starts_at)`.execute(
    db,
  );
  await sql`alter table symposium.symposium rename column venue to venue_en`.execute(db);
  await sql`alter table symposium.symposium rename column note to note_en`.execute(db);
  await sql`alter table symposium.symposium drop constraint symposium_status_check`.execute(db);
  await sql`update symposium.symposium set status = 'registration-closed' where status = 'closed'`.execute(
    db,
  );
  await sql`alter table symposium.symposium add constraint symposium_status_check
    check (status in ('planned','announced','registration-open','registration-closed','held','report-published'))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table symposium.symposium drop constraint symposium_status_check`.execute(db);
  await sql`update symposium.symposium set status = 'closed' where status = 'registration-closed'`.execute(
    db,
  );
  await sql`alter table symposium.symposium add constraint symposium_status_check
    check (status in ('planned','announced','registration-open','closed','held','report-published'))`.execute(
    db,
  );
  await sql`alter table symposium.symposium rename column note_en to note`.execute(db);
  await sql`alter table symposium.symposium rename column venue_en to venue`.execute(db);
  await sql`update symposium.symposium set title_en = title_ja where title_en is null`.execute(db);
  await sql`alter table symposium.symposium
    drop constraint symposium_times_check,
    drop column version,
    drop column expected_attendance,
    drop column time_zone,
    drop column ends_at,
    drop column starts_at,
    drop column note_ja,
    drop column venue_ja,
    drop column description_ja,
    drop column description_en,
    drop constraint symposium_title_check,
    alter column title_en set not null`.execute(db);
  await outbox.down(db);
}
