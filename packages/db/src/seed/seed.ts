import type { Kysely } from 'kysely';
import type { DB } from '../schema/index';
import { seedPeople } from './people';
import { seedActivities } from './activities';
import { seedCannedResponses } from './canned-responses';
import { seedRegistry } from './registry';
import { seedSymposium } from './symposium';

export type SeedProgress = (step: string, done: number, total: number) => void;
export type SeedCounts = {
  partners: number;
  agreements: number;
  symposiums: number;
  documents: number;
  activities: number;
  cannedResponses: number;
};

/**
 * Loads the demo data. Idempotent: rows are matched on their natural keys (a partner's name,
 * a symposium's date, an agreement's title within its partner, a document's kind, language and
 * title within its symposium, a canned response's title) and only missing ones are inserted, so a second run changes
 * nothing and staff edits to seeded rows are never overwritten. Returns what it inserted.
 */
export async function seed(db: Kysely<DB>, progress: SeedProgress = () => {}): Promise<SeedCounts> {
  return db.transaction().execute(async (trx) => {
    const counts: SeedCounts = {
      partners: 0,
      agreements: 0,
      symposiums: 0,
      documents: 0,
      activities: 0,
      cannedResponses: 0,
    };

    await seedRegistry(trx, counts, progress);
    // Fictional demo people for the partners just seeded (not counted: not public facts).
    await seedPeople(trx);
    await seedActivities(trx, counts, progress);
    await seedSymposium(trx, counts, progress);
    await seedCannedResponses(trx, counts, progress);
    return counts;
  });
}
