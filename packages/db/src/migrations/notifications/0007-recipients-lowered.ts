import { type Kysely, sql } from 'kysely';

/**
 * The admin list's `to=` filter finds an address whatever its case. Mail is sent to each address as
 * it was written (a registration by `Taro.Yamada@Example.ac.jp` keeps its spelling), and the
 * filter matched only that spelling, so "did the applicant get our mail?" asked in lower case
 * found nothing. The GIN index is now over the recipients in lower case
 * (`notifications.lower_all`), and the filter compares the lower-cased address with them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create function notifications.lower_all(addresses text[]) returns text[]
    language sql immutable strict parallel safe
    return array(select lower(a) from unnest(addresses) as a)`.execute(db);
  await sql`drop index notifications.delivery_recipients_idx`.execute(db);
  await sql`create index delivery_recipients_idx
    on notifications.delivery using gin (notifications.lower_all(recipients))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index notifications.delivery_recipients_idx`.execute(db);
  await sql`create index delivery_recipients_idx
    on notifications.delivery using gin (recipients)`.execute(db);
  await sql`drop function notifications.lower_all(text[])`.execute(db);
}
