import { activityCreateSchema } from '@sp/types';
import { sql, type Transaction } from 'kysely';
import type { z } from 'zod';
import { writeOutbox } from '../outbox';
import type { DB } from '../schema/index';
import type { SeedCounts, SeedProgress } from './seed';

/**
 * An activity as staff record one (the create contract, partner named by English name), plus
 * the day it went on the public "Recent Activities" list.
 */
export type SeedActivity = Omit<z.input<typeof activityCreateSchema>, 'partnerId'> & {
  partnerNameEn: string;
  publishedOn: string;
};

/**
 * The programme page points to a "Recent Activities" list without naming its items; the one
 * activity the public record states is Vietnam National University, Hanoi's, presented at the
 * Sixth UTokyo Strategic Partnership Symposium (2021-03-16, online, about 70 participants).
 */
export const activities = [
  {
    partnerNameEn: 'Vietnam National University, Hanoi',
    type: 'joint-symposium',
    titleEn:
      'Activities with Vietnam National University, Hanoi presented at the Sixth UTokyo Strategic Partnership Symposium',
    titleJa:
      '第6回東京大学戦略的パートナーシップ・シンポジウムにおけるベトナム国家大学ハノイ校との活動紹介',
    summaryEn:
      'The activities with Vietnam National University, Hanoi, a prospective strategic partner, were presented at the Sixth UTokyo Strategic Partnership Symposium, held online with about 70 participants.',
    startsOn: '2021-03-16',
    endsOn: '2021-03-16',
    status: 'completed',
    isPublic: true,
    publishedOn: '2021-03-16',
  },
] satisfies SeedActivity[];

/** Inserts the activities not yet there (matched on partner and English title), approved and public. */
export async function seedActivities(
  trx: Transaction<DB>,
  counts: SeedCounts,
  progress: SeedProgress,
): Promise<void> {
  const all: readonly SeedActivity[] = activities;
  for (const [i, a] of all.entries()) {
    const { partnerNameEn, publishedOn, ...fields } = a;
    const input = activityCreateSchema.parse(fields);
    const partner = await trx
      .selectFrom('registry.partner')
      .select('id')
      .where('nameEn', '=', partnerNameEn)
      .executeTakeFirstOrThrow();
    const existing = await trx
      .selectFrom('registry.activity')
      .select('id')
      .where('partnerId', '=', partner.id)
      .where('titleEn', '=', input.titleEn)
      .executeTakeFirst();
    if (!existing) {
      // Published on the day, in Tokyo.
      const publishedAt = sql<Date>`${`${publishedOn}T00:00:00+09:00`}::timestamptz`;
      const row = await trx
        .insertInto('registry.activity')
        .values({
          partnerId: partner.id,
          type: input.type,
          titleEn: input.titleEn,
          titleJa: input.titleJa ?? null,
          summaryEn: input.summaryEn ?? null,
          summaryJa: input.summaryJa ?? null,
          departments: input.departments,
          leads: input.leads,
          startsOn: input.startsOn ?? null,
          endsOn: input.endsOn ?? null,
          status: input.status,
          isPublic: input.isPublic,
          links: JSON.stringify(input.links),
          outputs: JSON.stringify(input.outputs),
          reviewStatus: 'approved',
          reviewedAt: publishedAt,
          reviewedBy: 'seed',
          publishedAt: input.isPublic ? publishedAt : null,
          reportedBy: 'staff',
          createdBy: 'seed',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      counts.activities++;
      await writeOutbox(trx, 'registry', {
        name: 'activity.created',
        payload: {
          id: row.id,
          partnerId: row.partnerId,
          type: row.type,
          titleEn: row.titleEn,
          titleJa: row.titleJa,
          status: row.status,
          reviewStatus: row.reviewStatus,
          isPublic: row.isPublic,
          publishedAt: row.publishedAt?.toISOString() ?? null,
          reportedBy: row.reportedBy,
          updatedAt: row.updatedAt.toISOString(),
          version: Number(row.version),
        },
      });
    }
    progress('activities', i + 1, all.length);
  }
}
