import {
  type AgreementCreate,
  agreementCreateSchema,
  agreementRenewalCreateSchema,
  type PartnerCreate,
  partnerCreateSchema,
  splitPartialDate,
} from '@sp/types';
import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import { writeOutbox } from '../outbox';
import type { DB } from '../schema/index';
import type { SeedCounts, SeedProgress } from './seed';

/** An agreement as staff create one, with its renewals as staff record them. */
export type SeedAgreement = z.input<typeof agreementCreateSchema> & {
  renewals?: z.input<typeof agreementRenewalCreateSchema>[];
};

/**
 * A partner as staff create one (the create contract, with the status and the date it began
 * at the precision the public record gives), plus its agreements.
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
    city: 'Princeton',
    statusSince: '2013',
    agreements: [
      {
        kind: 'comprehensive',
        title: 'Memorandum on strategic partnership',
        signedOn: '2013',
        renewals: [
          {
            renewedOn: '2023-01',
            expiresOn: null,
            note: 'Renewed for a third five-year period.',
          },
        ],
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
    city: 'Cambridge',
    statusSince: '2015-03-04',
    agreements: [
      {
        kind: 'strategic-partnership',
        title: 'Strategic partnership agreement',
        signedOn: '2015-03-04',
        renewals: [{ renewedOn: '2020', expiresOn: null, note: 'Extended for five years.' }],
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
    city: 'Canberra',
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
    city: 'Beijing',
    statusSince: '2015',
    agreements: [
      {
        kind: 'strategic-partnership',
        title: 'Strategic partnership agreement',
        signedOn: '2015',
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
    city: 'Zurich',
    // The public record says the memorandum was renewed "in 2016": no month, no day.
    statusSince: '2016',
    agreements: [
      {
        kind: 'comprehensive',
        title: 'Memorandum on strategic partnership',
        renewals: [{ renewedOn: '2016', expiresOn: null }],
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
    city: 'Seoul',
    statusSince: '2016-07-22',
    agreements: [
      {
        kind: 'comprehensive',
        title: 'Memorandum on strategic partnership',
        signedOn: '2016-07-22',
      },
    ],
  },
  {
    nameEn: 'Stockholm Trio',
    nameJa: 'ストックホルム・トリオ',
    country: 'SE',
    region: 'europe',
    website: 'https://www.su.se/',
    status: 'primary',
    city: 'Stockholm',
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
        renewals: [{ renewedOn: '2022-06-01', expiresOn: null }],
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
    city: 'Beijing',
    statusSince: '2018-07-23',
    agreements: [
      {
        kind: 'comprehensive',
        title: 'Memorandum on strategic partnership',
        signedOn: '2018-07-23',
      },
    ],
  },
  {
    nameEn: 'Vietnam National University, Hanoi',
    nameJa: 'ベトナム国家大学ハノイ校',
    country: 'VN',
    region: 'asia',
    website: 'https://vnu.edu.vn/',
    city: 'Hanoi',
    status: 'prospective',
    statusSince: '2021-03-16',
    summaryEn:
      'Prospective strategic partner; its activities were presented at the Sixth UTokyo Strategic Partnership Symposium.',
    agreements: [],
  },
] satisfies SeedPartner[];

/** A partial date (`2016`, `2023-01`, `2017-09-25`) as its stored first day and precision. */
const split = (value: string) => {
  const parts = splitPartialDate(value);
  if (!parts) throw new Error(`seed: "${value}" is not a date`);
  return parts;
};

/**
 * Inserts the missing seed partners (announcing each, like any new partner) and agreements
 * (each announced too, its renewals kept as history).
 */
export async function seedRegistry(
  trx: Transaction<DB>,
  counts: SeedCounts,
  progress: SeedProgress,
): Promise<void> {
  // Read as the contract shapes (the literal data's own type has no optional fields).
  const all: readonly SeedPartner[] = partners;
  for (const [i, p] of all.entries()) {
    const since = split(p.statusSince);
    const inserted = await trx
      .insertInto('registry.partner')
      .values({
        nameEn: p.nameEn,
        nameJa: p.nameJa,
        country: p.country,
        region: p.region,
        website: p.website,
        city: p.city ?? null,
        status: p.status,
        statusSince: since.firstDay,
        statusSincePrecision: since.precision,
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
          changedOn: since.firstDay,
          changedOnPrecision: since.precision,
          note: 'Loaded from the programme’s public record.',
        })
        .execute();
    }
    const { id: partnerId } = await trx
      .selectFrom('registry.partner')
      .select('id')
      .where((eb) => eb(eb.fn('lower', [eb.ref('nameEn')]), '=', p.nameEn.toLowerCase()))
      .executeTakeFirstOrThrow();
    for (const { renewals = [], ...given } of p.agreements) {
      const a: AgreementCreate = agreementCreateSchema.parse(given);
      const signed = a.signedOn ? split(a.signedOn) : undefined;
      const row = await trx
        .insertInto('registry.agreement')
        .values({
          partnerId,
          kind: a.kind,
          title: a.title,
          signatories: a.signatories,
          signedOn: signed?.firstDay ?? null,
          signedOnPrecision: signed?.precision ?? null,
          startsOn: a.startsOn ?? null,
          expiresOn: a.expiresOn ?? null,
          autoRenewal: a.autoRenewal,
          documentUrl: a.documentUrl ?? null,
          note: a.note ?? null,
        })
        // The unique index agreement_partner_id_title_key (migration registry/0014).
        .onConflict((oc) => oc.expression(sql`partner_id, lower(title)`).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) continue;
      counts.agreements++;
      for (const renewal of renewals) {
        const r = agreementRenewalCreateSchema.parse(renewal);
        const on = split(r.renewedOn ?? row.signedOn ?? '');
        await trx
          .insertInto('registry.agreementRenewal')
          .values({
            agreementId: row.id,
            renewedOn: on.firstDay,
            renewedOnPrecision: on.precision,
            previousExpiresOn: null,
            newExpiresOn: r.expiresOn,
            note: r.note ?? null,
            // Renewals are listed in the order recorded; now() is one time for the whole seed.
            recordedAt: sql<Date>`clock_timestamp()`,
          })
          .execute();
      }
      await writeOutbox(trx, 'registry', {
        name: 'agreement.created',
        payload: {
          id: row.id,
          partnerId,
          kind: row.kind,
          title: row.title,
          startsOn: row.startsOn,
          expiresOn: row.expiresOn,
          autoRenewal: row.autoRenewal,
          updatedAt: row.updatedAt.toISOString(),
          version: Number(row.version),
        },
      });
    }
    progress('partners', i + 1, partners.length);
  }
}
