import type { ContactCreate, FacultyLeadCreate } from '@sp/types';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../schema/index';

/**
 * Demo people: clearly fictional (no real person is named; the addresses are on the reserved
 * `.example` domain), so staff can try the people routes and search on a fresh database.
 */
export const demoContacts = [
  {
    partner: 'ETH Zurich',
    nameEn: 'Demo Contact (fictional)',
    nameJa: 'デモ 連絡先（架空）',
    role: 'International office (demo)',
    email: 'demo.contact@eth.example',
    languages: ['de', 'en'],
  },
  {
    partner: 'Seoul National University',
    nameEn: 'Sample Liaison (fictional)',
    nameJa: 'サンプル 担当者（架空）',
    role: 'Global engagement (demo)',
    email: 'sample.liaison@snu.example',
    languages: ['ko', 'en', 'ja'],
  },
] satisfies (ContactCreate & { partner: string })[];

export const demoFacultyLeads = [
  {
    nameEn: 'Demo Faculty Lead (fictional)',
    nameJa: 'デモ 教員（架空）',
    department: 'Graduate School of Engineering',
    email: 'demo.faculty-lead@utokyo.example',
    partners: ['ETH Zurich', 'Seoul National University'],
  },
] satisfies (Omit<FacultyLeadCreate, 'partnerIds'> & { partners: string[] })[];

const partnerId = async (trx: Kysely<DB>, nameEn: string): Promise<string | undefined> =>
  (
    await trx
      .selectFrom('registry.partner')
      .select('id')
      .where((eb) => eb(eb.fn('lower', [eb.ref('nameEn')]), '=', nameEn.toLowerCase()))
      .executeTakeFirst()
  )?.id;

/**
 * Inserts the missing demo people (matched on e-mail), and their partner links. Returns how
 * many people it inserted; a second run inserts none.
 */
export async function seedPeople(trx: Transaction<DB>): Promise<number> {
  let inserted = 0;
  for (const { partner, ...c } of demoContacts) {
    const id = await partnerId(trx, partner);
    if (!id) continue;
    const result = await trx
      .insertInto('registry.contact')
      .values({ ...c, partnerId: id })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  for (const { partners, ...lead } of demoFacultyLeads) {
    const row = await trx
      .insertInto('registry.facultyLead')
      .values(lead)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) continue;
    inserted++;
    for (const name of partners) {
      const id = await partnerId(trx, name);
      if (id)
        await trx
          .insertInto('registry.facultyLeadPartner')
          .values({ facultyLeadId: row.id, partnerId: id })
          .onConflict((oc) => oc.doNothing())
          .execute();
    }
  }
  return inserted;
}
