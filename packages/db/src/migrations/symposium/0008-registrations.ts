import { type Kysely, sql } from 'kysely';

/**
 * Registrations for a symposium. The settings (capacity, when registration opens and closes,
 * the extra form fields staff configure, the reminder offsets) are one row per symposium in a
 * table of their own, with their own version for If-Match: the row sign-ups lock `FOR UPDATE`
 * to count seats, so concurrent sign-ups to one symposium serialise there and nowhere else.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table symposium.registration_settings (
      symposium_id uuid primary key references symposium.symposium (id) on delete cascade,
      capacity int not null check (capacity >= 0),
      opens_at timestamptz not null,
      closes_at timestamptz not null,
      form jsonb not null default '[]'::jsonb,
      reminder_offsets_minutes int[] not null default '{4320,1440}',
      version bigint not null default 1,
      updated_at timestamptz not null default now(),
      constraint registration_settings_window_check check (closes_at > opens_at)
    )`.execute(db);

  await sql`
    create table symposium.registration (
      id uuid primary key default gen_random_uuid(),
      symposium_id uuid not null references symposium.symposium (id) on delete cascade,
      seq bigint generated always as identity,
      partner_id uuid,
      name text not null,
      email text not null,
      language text not null check (language in ('en','ja')),
      answers jsonb not null default '{}'::jsonb,
      status text not null check (status in ('confirmed','waitlisted','cancelled','attended')),
      token_hash text not null,
      check_in_code text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      confirmed_at timestamptz,
      cancelled_at timestamptz,
      attended_at timestamptz,
      constraint registration_token_hash_key unique (token_hash),
      constraint registration_check_in_code_key unique (symposium_id, check_in_code)
    )`.execute(db);
  // One address registers once per symposium; a cancelled registration frees it again.
  await sql`create unique index registration_email_key
    on symposium.registration (symposium_id, lower(email)) where status <> 'cancelled'`.execute(db);
  // The waiting list in arrival order (promotion takes the first).
  await sql`create index registration_waitlist_idx
    on symposium.registration (symposium_id, seq) where status = 'waitlisted'`.execute(db);
  await sql`create index registration_symposium_status_idx
    on symposium.registration (symposium_id, status)`.execute(db);
  await sql`create index registration_partner_idx
    on symposium.registration (partner_id) where partner_id is not null`.execute(db);

  // A reminder sent: one row per registration and offset, inserted with its mail.
  await sql`
    create table symposium.registration_reminder (
      registration_id uuid not null references symposium.registration (id) on delete cascade,
      offset_minutes int not null,
      sent_at timestamptz not null default now(),
      primary key (registration_id, offset_minutes)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table symposium.registration_reminder`.execute(db);
  await sql`drop table symposium.registration`.execute(db);
  await sql`drop table symposium.registration_settings`.execute(db);
}
