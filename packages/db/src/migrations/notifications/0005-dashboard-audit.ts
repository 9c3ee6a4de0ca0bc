import type { Kysely } from 'kysely';
import { auditMigration } from '../audit';

/**
 * The worker's audit log: what admins change through the queue dashboard (retries, cleans,
 * pauses …), in the same table every service keeps, served at the worker's `GET /audit`.
 */
const migration = auditMigration('notifications');

export const up = (db: Kysely<unknown>): Promise<void> => migration.up(db);
export const down = (db: Kysely<unknown>): Promise<void> => migration.down(db);
