/**
 * The outbox writer lives in @sp/db, next to the outbox table, so that the seed can publish
 * through it too (@sp/db cannot depend on this package); services import it from here.
 */
export type { EventData, EventName, OutboxMessage, TopicOf } from '@sp/db';
export { writeOutbox } from '@sp/db';
