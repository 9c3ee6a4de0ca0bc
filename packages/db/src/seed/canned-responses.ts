import type { CannedResponseCreate } from '@sp/types';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../schema/index';
import type { SeedCounts, SeedProgress } from './seed';

const GROUP_EN = 'International Projects Promotion Group';
const GROUP_JA = '国際化推進グループ';

/** The desk's first canned responses, in English and Japanese. */
export const cannedResponses = [
  {
    title: 'Acknowledged: forwarded to the faculty',
    bodyEn: `Thank you for your inquiry. We have forwarded it to the faculty concerned and will write again as soon as we have their answer.\n\n${GROUP_EN}`,
    bodyJa: `お問い合わせいただきありがとうございます。担当部局に確認のうえ、改めてご連絡いたします。\n\n${GROUP_JA}`,
  },
  {
    title: 'Mobility: application guidelines',
    bodyEn: `Thank you for your interest in exchange with the University of Tokyo. The application guidelines for the coming academic year are published on the Global Campus Initiatives pages; applications go through your home institution's exchange office.\n\n${GROUP_EN}`,
    bodyJa: `東京大学との交流にご関心をお寄せいただきありがとうございます。次年度の募集要項はグローバルキャンパス推進本部のページに掲載しています。お申込みは所属機関の交流担当窓口を通じて行ってください。\n\n${GROUP_JA}`,
  },
  {
    title: 'Symposium: registration details',
    bodyEn: `Thank you for your interest in the UTokyo Strategic Partnership Symposium. Registration opens with the announcement of the programme; we will let you know when it does.\n\n${GROUP_EN}`,
    bodyJa: `UTokyo Strategic Partnership Symposium へのご関心をお寄せいただきありがとうございます。参加登録はプログラム公開とともに開始いたします。開始の際にご連絡いたします。\n\n${GROUP_JA}`,
  },
] satisfies CannedResponseCreate[];

/** Inserts the canned responses whose title (any case) is not there yet. */
export async function seedCannedResponses(
  trx: Transaction<DB>,
  counts: SeedCounts,
  progress: SeedProgress,
): Promise<void> {
  for (const [i, canned] of cannedResponses.entries()) {
    const exists = await trx
      .selectFrom('inquiries.cannedResponse')
      .select('id')
      .where(sql`lower(title)`, '=', canned.title.toLowerCase())
      .executeTakeFirst();
    if (!exists) {
      await trx.insertInto('inquiries.cannedResponse').values(canned).execute();
      counts.cannedResponses++;
    }
    progress('canned responses', i + 1, cannedResponses.length);
  }
}
