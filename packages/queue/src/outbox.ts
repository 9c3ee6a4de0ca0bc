import type { DB, OutboxSchema } from '@sp/db';
import type { Transaction } from 'kysely';
import type { Topic } from './queues';

export type OutboxMessage = { topic: Topic; name: string; payload: unknown };

/**
 * Records a message in the schema's outbox inside the caller's transaction: it is sent if and
 * only if the change commits. The relay delivers it with `jobId` = the row's id.
 */
export async function writeOutbox(
  trx: Transaction<DB>,
  schema: OutboxSchema,
  ...messages: OutboxMessage[]
): Promise<void> {
  if (messages.length === 0) return;
  await trx
    .insertInto(`${schema}.outbox`)
    .values(
      messages.map((m) => ({ topic: m.topic, name: m.name, payload: JSON.stringify(m.payload) })),
    )
    .execute();
}
