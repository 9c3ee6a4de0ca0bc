import type { SymposiumCreate, SymposiumDocumentCreate, SymposiumStatus } from '@sp/types';
import type { Transaction } from 'kysely';
import type { DB } from '../schema/index';
import type { SeedCounts, SeedProgress } from './seed';

/** A document as the create contract takes it (only what the public record gives; an English title). */
export type SeedDocument = Pick<SymposiumDocumentCreate, 'kind' | 'language' | 'publishedIn'> & {
  title: string;
};

/**
 * A symposium as the create contract takes it, with the status it reached (the API moves a
 * status one guarded step at a time; the seed records history). English titles and venues, as
 * the public page publishes them.
 */
export type SeedSymposium = Omit<
  SymposiumCreate,
  'title' | 'venue' | 'note' | 'description' | 'timeZone' | 'streamUrl'
> & {
  titleEn: string;
  venue: string | null;
  note?: string;
  status: SymposiumStatus;
  documents: SeedDocument[];
};

const DIA = 'Division of International Affairs';

/** Newest first, as on the public page. */
export const symposiums = [
  {
    edition: null,
    titleEn: 'Strategic Partnership Symposium',
    heldOn: '2022-03-15',
    campus: null,
    venue: null,
    format: 'online',
    status: 'report-published',
    participants: null,
    participantsQualifier: null,
    organiser: DIA,
    note: 'Held online by UTokyo as lead of a network project of the Japan Forum for Internationalization of Universities.',
    documents: [
      { kind: 'report', language: 'en', title: 'Report' },
      { kind: 'video', language: 'en', title: 'The University of Tokyo YouTube' },
    ],
  },
  {
    edition: 6,
    titleEn: 'Sixth UTokyo Strategic Partnership Symposium',
    heldOn: '2021-03-16',
    campus: null,
    venue: null,
    format: 'online',
    status: 'held',
    participants: 70,
    participantsQualifier: 'about',
    organiser: DIA,
    documents: [],
  },
  {
    edition: 5,
    titleEn: 'Fifth UTokyo Strategic Partnership Symposium',
    heldOn: '2019-03-07',
    campus: 'hongo',
    venue: 'Koshiba Hall',
    format: 'in-person',
    status: 'held',
    participants: 100,
    participantsQualifier: 'about',
    organiser: DIA,
    documents: [
      {
        kind: 'announcement',
        language: 'en',
        title: 'Announcement',
        publishedIn: 'Topics (March 2019)',
      },
    ],
  },
  {
    edition: 4,
    titleEn: 'Fourth UTokyo Strategic Partnership Symposium',
    heldOn: '2018-03-06',
    campus: 'hongo',
    venue: 'Koshiba Hall',
    format: 'in-person',
    status: 'report-published',
    participants: 100,
    participantsQualifier: 'about',
    organiser: DIA,
    documents: [{ kind: 'panel-summary', language: 'en', title: 'Summary of Panel Discussion' }],
  },
  {
    edition: 3,
    titleEn: 'Third UTokyo Strategic Partnership Symposium',
    heldOn: '2017-03-17',
    campus: null,
    venue: null,
    format: null,
    status: 'report-published',
    participants: null,
    participantsQualifier: null,
    organiser: DIA,
    documents: [
      {
        kind: 'announcement',
        language: 'en',
        title: 'Announcement',
        publishedIn: 'Topics (March 2017)',
      },
      { kind: 'report', language: 'en', title: 'Report' },
    ],
  },
  {
    edition: 2,
    titleEn: 'Second UTokyo Strategic Partnership Symposium',
    heldOn: '2016-03-14',
    campus: 'hongo',
    venue: 'Science Building No. 2 auditorium',
    format: 'in-person',
    status: 'report-published',
    participants: 100,
    participantsQualifier: 'over',
    organiser: DIA,
    documents: [
      {
        kind: 'announcement',
        language: 'en',
        title: 'Announcement',
        publishedIn: 'Topics (March 2016)',
      },
      { kind: 'report', language: 'en', title: 'Report' },
    ],
  },
  {
    edition: 1,
    titleEn: 'First UTokyo Strategic Partnership Symposium',
    heldOn: '2015-04-20',
    campus: null,
    venue: null,
    format: null,
    status: 'report-published',
    participants: null,
    participantsQualifier: null,
    organiser: DIA,
    documents: [
      {
        kind: 'announcement',
        language: 'en',
        title: 'Announcement',
        publishedIn: 'Topics (May 2015)',
      },
      { kind: 'report', language: 'ja', title: 'Report' },
    ],
  },
] satisfies SeedSymposium[];

/** Inserts the missing seed symposiums and their documents. */
export async function seedSymposium(
  trx: Transaction<DB>,
  counts: SeedCounts,
  progress: SeedProgress,
): Promise<void> {
  // Read as the contract shapes (the literal data's own type has no optional fields).
  const all: readonly SeedSymposium[] = symposiums;
  for (const [i, s] of all.entries()) {
    const inserted = await trx
      .insertInto('symposium.symposium')
      .values({
        edition: s.edition ?? null,
        titleEn: s.titleEn,
        heldOn: s.heldOn,
        campus: s.campus ?? null,
        venueEn: s.venue,
        format: s.format ?? null,
        status: s.status,
        participants: s.participants ?? null,
        participantsQualifier: s.participantsQualifier ?? null,
        organiser: s.organiser ?? null,
        noteEn: s.note ?? null,
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
}
