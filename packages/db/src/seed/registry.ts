import { type Agreement, type PartnerCreate, partnerCreateSchema } from '@sp/types';
import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import { writeOutbox } from '../outbox';
import type { DB } from '../schema/index';
import type { SeedCounts, SeedProgress } from './seed';

/** An agreement as the registry records it (there is no create contract for agreements yet). */
export type SeedAgreement = Pick<Agreement, 'kind' | 'title'> &
  Partial<Pick<Agreement, 'signedOn' | 'signedYear' | 'renewedOn' | 'note'>>;

/**
 * A partner as staff create one (the create contract, with the status given), plus what a
 * create does not take: the date its status began and its agreements.
 */
export type SeedPartner = z.input<typeof partnerCreateSchema> &
  Pick<PartnerCreate, 'status'> & { statusSince: string; agreements: SeedAgreement[] };

/**
 * Eight of the nine primary strategic partners are named by public pages; the ninth slot is
 * left for staff to fill (the programme has nine: `programme.primaryPartnerSlots`).
 */
export const partners = [
  {
    nameEn: 'Princeton University',
    nameJa: 'プリンストン大学',
    country: 'US',
    region: 'north-america',
    website: 'https://www.princeton.edu/',
    status: 'primary',
    statusSince: '2013-01-01',
    agreements: [
      {
        kind: 'memorandum',
        title: 'Memorandum on strategic partnership',
        signedYear: 2013,
        note: 'Renewed in January 2023 for a third five-year period.',
      },
    ],
  },
  {
    nameEn: 'University of Cambridge',
    nameJa: 'ケンブリッジ大学',
    country: 'GB',
    region: 'europe',
    website: 'https://www.cam.ac.uk/',
    status: 'primary',
    statusSince: '2015-03-04',
    agreements: [
      {
        kind: 'strategic-partnership',
        title: 'Strategic partnership agreement',
        signedOn: '2015-03-04',
        note: 'Extended in 2020 for five years.',
      },
    ],
  },
  {
    nameEn: 'Australian National University',
    nameJa: 'オーストラリア国立大学',
    country: 'AU',
    region: 'oceania',
    website: 'https://www.anu.edu.au/',
    status: 'primary',
    statusSince: '2015-03-04',
    agreements: [
      {
        kind: 'strategic-partnership',
        title: 'Strategic partnership engagement',
        signedOn: '2015-03-04',
      },
    ],
  },
  {
    nameEn: 'Peking University',
    nameJa: '北京大学',
    country: 'CN',
    region: 'asia',
    website: 'https://english.pku.edu.cn/',
    status: 'primary',
    statusSince: '2015-01-01',
    agreements: [
      {
        kind: 'strategic-partnership',
        title: 'Strategic partnership agreement',
        signedYear: 2015,
        note: 'Reported in 2015.',
      },
    ],
  },
  {
    nameEn: 'ETH Zurich',
    nameJa: 'チューリッヒ工科大学',
    country: 'CH',
    region: 'europe',
    website: 'https://ethz.ch/',
    status: 'primary',
    statusSince: '2016-01-01',
    agreements: [
      {
        kind: 'memorandum',
        title: 'Memorandum on strategic partnership',
        signedYear: 2016,
        note: 'Renewed in 2016.',
      },
    ],
  },
  {
    nameEn: 'Seoul National University',
    nameJa: 'ソウル大学校',
    country: 'KR',
    region: 'asia',
    website: 'https://en.snu.ac.kr/',
    status: 'primary',
    statusSince: '2016-07-22',
    agreements: [
      { kind: 'memorandum', title: 'Memorandum on strategic partnership', signedOn: '2016-07-22' },
    ],
  },
  {
    nameEn: 'Stockholm Trio',
    nameJa: 'ストックホルム・トリオ',
    country: 'SE',
    region: 'europe',
    website: 'https://www.su.se/',
    status: 'primary',
    statusSince: '2017-09-25',
    memberInstitutions: [
      'Stockholm University',
      'KTH Royal Institute of Technology',
      'Karolinska Institutet',
    ],
    summaryEn: 'One strategic partner made of three Stockholm institutions.',
    agreements: [
      {
        kind: 'strategic-partnership',
        title: 'Strategic partnership agreement',
        signedOn: '2017-09-25',
        renewedOn: '2022-06-01',
      },
    ],
  },
  {
    nameEn: 'Tsinghua University',
    nameJa: '清華大学',
    country: 'CN',
    region: 'asia',
    website: 'https://www.tsinghua.edu.cn/en/',
    status: 'primary',
    statusSince: '2018-07-23',
    agreements: [
      { kind: 'memorandum', title: 'Memorandum on strategic partnership', signedOn: '2018-07-23' },
    ],
  },
  {
    nameEn: 'Vietnam National University, Hanoi',
    nameJa: 'ベトナム国家大学ハノイ校',
    country: 'VN',
    region: 'asia',
    website: 'https://vnu.edu.vn/',
    status: 'prospective',
    statusSince: '2021-03-16',
    summaryEn:
      'Prospective strategic partner; its activities were presented at the Sixth UTokyo Strategic Partnership Symposium.',
    agreements: [],
  },
] satisfies SeedPartner[];

/** Inserts the missing seed partners (announcing each, like any new partner) and agreements. */
export async function seedRegistry(
  trx: Transaction<DB>,
  counts: SeedCounts,
  progress: SeedProgress,
): Promise<void> {
  // Read as the contract shapes (the literal data's own type has no optional fields).
  const all: readonly SeedPartner[] = partners;
  for (const [i, p] of all.entries()) {
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
}
