import { type Kysely, sql } from 'kysely';

/**
 * One mobility report per partner, fiscal year, direction, person type and programme, whatever
 * the programme's case: a partner that reported "USTEP" and later "Ustep" had two rows, both
 * counted in the totals. The index keeps the constraint's name, which the repository turns
 * into its 409. Cells already reported twice that way are named, for staff to merge or remove
 * one, rather than left to a bare "could not create unique index".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows: clashes } = await sql<{ cell: string; programmes: string }>`
    select format('partner %s, fiscal year %s, %s %s', partner_id, fiscal_year, direction, person_type) as cell,
           string_agg(format('"%s"', programme), ' and ' order by programme) as programmes
      from registry.mobility_record
     group by partner_id, fiscal_year, direction, person_type, lower(programme)
    having count(*) > 1
     order by partner_id, fiscal_year
     limit 20`.execute(db);
  if (clashes.length > 0)
    throw new Error(
      `mobility reports of one cell whose programmes differ only in case; merge or remove one of each, then migrate again: ${clashes
        .map((c) => `${c.cell}: ${c.programmes}`)
        .join('; ')}`,
    );
  await sql`alter table registry.mobility_record drop constraint mobility_record_cell_key`.execute(
    db,
  );
  await sql`create unique index mobility_record_cell_key
    on registry.mobility_record (partner_id, fiscal_year, direction, person_type, lower(programme))`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index registry.mobility_record_cell_key`.execute(db);
  await sql`alter table registry.mobility_record add constraint mobility_record_cell_key
    unique (partner_id, fiscal_year, direction, person_type, programme)`.execute(db);
}
