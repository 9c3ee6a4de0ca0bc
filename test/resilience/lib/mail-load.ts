import { type DB, writeOutbox } from '@sp/db';
import type { Kysely } from 'kysely';

/**
 * Writes `count` `email.send` messages to the registry's outbox in one transaction, as a
 * service's change would (the worker does not care whose outbox it was); the registry's relay
 * moves them to the queue. Keys are `<tag>:<n>`, so a test can tell its mails apart.
 */
export async function writeMails(
  db: Kysely<DB>,
  tag: string,
  count: number,
  from = 0,
): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `${tag}:${from + i}`);
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < keys.length; i += 500)
      await writeOutbox(
        trx,
        'registry',
        ...keys.slice(i, i + 500).map((key) => ({
          name: 'email.send' as const,
          payload: {
            template: 'inquiry-received' as const,
            locale: 'en' as const,
            to: [`${key.replace(/[^a-z0-9]/gi, '-')}@example.org`],
            data: {
              name: `Recipient ${key}`,
              reference: key,
              statusUrl: `https://inquiries.example/status/${encodeURIComponent(key)}`,
            },
            idempotencyKey: key,
          },
        })),
      );
  });
  return keys;
}
