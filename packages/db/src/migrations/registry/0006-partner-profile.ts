import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The profile the programme page and the Division's staff work from. The coordinator is the
  // UTokyo person agreement reminders go to: personal data, shown to staff only.
  await sql`
    alter table registry.partner
      add column city text check (length(city) between 1 and 200),
      add column logo_url text,
      add column tags text[] not null default '{}',
      add column coordinating_department text,
      add column coordinator_name text,
      add column coordinator_email text,
      add column coordinator_locale text check (coordinator_locale in ('en','ja')),
      add column status_since_precision text not null default 'day'
        check (status_since_precision in ('year','month','day'))`.execute(db);
  // `?tag=` filters with `tags @> array[...]`.
  await sql`create index partner_tags_idx on registry.partner using gin (tags)`.execute(db);

  // Who recorded each status change, and how precisely its date is known: a change known only
  // to the year is kept as its first day with precision 'year', never shown as that day.
  await sql`
    alter table registry.partner_status_change
      add column actor_kind text,
      add column actor_id text,
      add column changed_on_precision text not null default 'day'
        check (changed_on_precision in ('year','month','day'))`.execute(db);

  // Dates that were stored as a year's or a month's first day become what they were.
  await sql`
    update registry.partner set status_since_precision = 'year'
    where extract(month from status_since) = 1 and extract(day from status_since) = 1`.execute(db);
  await sql`
    update registry.partner_status_change c set changed_on_precision = p.status_since_precision
    from registry.partner p
    where c.partner_id = p.id and c.changed_on = p.status_since`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table registry.partner_status_change
      drop column changed_on_precision,
      drop column actor_id,
      drop column actor_kind`.execute(db);
  await sql`drop index registry.partner_tags_idx`.execute(db);
  await sql`
    alter table registry.partner
      drop column status_since_precision,
      drop column coordinator_locale,
      drop column coordinator_email,
      drop column coordinator_name,
      drop column coordinating_department,
      drop column tags,
      drop column logo_url,
      drop column city`.execute(db);
}
