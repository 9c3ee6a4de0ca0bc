import { type Kysely, sql } from 'kysely';

/**
 * A partner's agreement titles are unique whatever their case: 'Student Exchange Agreement'
 * and 'Student exchange agreement' were two agreements of one partner (two expiry reminders
 * for one agreement). The index keeps the constraint's name, which the repository turns into
 * its 409 on `title`. Titles already stored twice that way are named, for staff to rename or
 * remove one, rather than left to a bare "could not create unique index".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows: clashes } = await sql<{ partner: string; titles: string }>`
    select partner_id as partner, string_agg(format('"%s"', title), ' and ' order by title) as titles
      from registry.agreement
     group by partner_id, lower(title)
    having count(*) > 1
     order by partner_id
     limit 20`.execute(db);
  if (clashes.length > 0)
    throw new Error(
      `agreements of one partner titled alike but for case; rename or remove one of each, then migrate again: ${clashes
        .map((c) => `partner ${c.partner}: ${c.titles}`)
        .join('; ')}`,
    );
  await sql`alter table registry.agreement drop constraint agreement_partner_id_title_key`.execute(
    db,
  );
  await sql`create unique index agreement_partner_id_title_key
    on registry.agreement (partner_id, lower(title))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index registry.agreement_partner_id_title_key`.execute(db);
  await sql`alter table registry.agreement
    add constraint agreement_partner_id_title_key unique (partner_id, title)`.execute(db);
}
