import type { DB } from '@sp/db';
import type { Kysely } from 'kysely';

/**
 * A symposium open for registration with room for every sign-up a load test makes (100,000
 * seats, open from a minute ago for a day): its id.
 */
export async function openSymposium(
  db: Kysely<DB>,
  titleEn: string,
  heldOn: string,
): Promise<string> {
  const { id } = await db
    .insertInto('symposium.symposium')
    .values({ titleEn, heldOn, status: 'registration-open' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('symposium.registrationSettings')
    .values({
      symposiumId: id,
      capacity: 100_000,
      opensAt: new Date(Date.now() - 60_000),
      closesAt: new Date(Date.now() + 86_400_000),
    })
    .execute();
  return id;
}
