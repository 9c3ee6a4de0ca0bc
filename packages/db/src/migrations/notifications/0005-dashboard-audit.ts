import { auditMigration } from '../audit';

/**
 * The worker's audit log: what admins change through the queue dashboard (retries, cleans,
 * pauses …), in the same table every service keeps, served at the worker's `GET /audit`.
 */
export const { up, down } = auditMigration('notifications');
