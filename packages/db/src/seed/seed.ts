import { type Kysely, sql } from 'kysely';
import { writeOutbox } from '../outbox';
import type { DB } from '../schema/index';
import { partners, symposiums } from './data';

export type SeedProgress = (step: string, done: number, total: number) => void;
export type SeedCounts = {
  partners: number;
  agreements: number;
  symposiums: number;
  documents: number;
};

/**
 * Loads the demo data. Idempotent: rows are matched on their natural keys (a partner's name,
 * a symposium's date, an agreement's title within its partner, a document's kind, language and
 * title within its symposium) and only missing ones are inserted, so a second run changes
 * nothing and staff edits to seeded rows are never overwritten. Returns what it inserted.
 */
export async function seed(db: Kysely<DB>, progress: SeedProgress = () => {}): Promise<SeedCounts> {
  return db.transaction().execute(async (trx) => {
    const counts: SeedCounts = { partners: 0, agreements: 0, symposiums: 0, documents: 0 };

    for (const [i, p] of partners.entries()) {
      const inserted = await trx
        .insertInto('registry.partner')
        .values({
          nameEn: p.nameEn,
          nameJa: p.nameJa,
          country: p.country,
          region: p.region,
          website: p.website,
          status: p.status,
          statusSince: p.statusSince,
          memberInstitutions: p.memberInstitutions ?? [],
          summaryEn: p.summaryEn ?? null,
        })
        .onConflict((oc) => oc.expression(sql`lower(name_en)`).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) {
        counts.partners++;
        // Announced like any new partner, so the other services' snapshots include it.
        await writeOutbox(trx, 'registry', {
          name: 'partner.created',
          payload: {
            id: inserted.id,
            nameEn: inserted.nameEn,
            nameJa: inserted.nameJa,
            country: inserted.country,
            status: inserted.status,
            updatedAt: inserted.updatedAt.toISOString(),
            version: Number(inserted.version),
          },
        });
        await trx
          .insertInto('registry.partnerStatusChange')
          .values({
            partnerId: inserted.id,
            fromStatus: null,
            toStatus: p.status,
            changedOn: p.statusSince,
            note: 'Loaded from the programme’s public record.',
          })
          .execute();
      }
      const { id: partnerId } = await trx
        .selectFrom('registry.partner')
        .select('id')
        .where((eb) => eb(eb.fn('lower', [eb.ref('nameEn')]), '=', p.nameEn.toLowerCase()))
        .executeTakeFirstOrThrow();
      for (const a of p.agreements) {
        const result = await trx
          .insertInto('registry.agreement')
          .values({
            partnerId,
            kind: a.kind,
            title: a.title,
            signedOn: a.signedOn ?? null,
            signedYear: a.signedYear ?? (a.signedOn ? Number(a.signedOn.slice(0, 4)) : null),
            renewedOn: a.renewedOn ?? null,
            note: a.note ?? null,
          })
          .onConflict((oc) => oc.columns(['partnerId', 'title']).doNothing())
          .executeTakeFirst();
        counts.agreements += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      progress('partners', i + 1, partners.length);
    }

    for (const [i, s] of symposiums.entries()) {
      const inserted = await trx
        .insertInto('symposium.symposium')
        .values({
          edition: s.edition,
          titleEn: s.titleEn,
          heldOn: s.heldOn,
          campus: s.campus,
          venue: s.venue,
          format: s.format,
          status: s.status,
          participants: s.participants,
          participantsQualifier: s.participantsQualifier,
          organiser: s.organiser,
          note: s.note ?? null,
        })
        .onConflict((oc) => oc.column('heldOn').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) counts.symposiums++;
      const { id: symposiumId } = await trx
        .selectFrom('symposium.symposium')
        .select('id')
        .where('heldOn', '=', s.heldOn)
        .executeTakeFirstOrThrow();
      for (const [position, d] of s.documents.entries()) {
        const result = await trx
          .insertInto('symposium.document')
          .values({
            symposiumId,
            kind: d.kind,
            language: d.language,
            title: d.title,
            publishedIn: d.publishedIn ?? null,
            published: true,
            position,
          })
          .onConflict((oc) => oc.columns(['symposiumId', 'kind', 'language', 'title']).doNothing())
          .executeTakeFirst();
        counts.documents += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      progress('symposiums', i + 1, symposiums.length);
    }
    return counts;
  });
}
