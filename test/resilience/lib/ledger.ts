import { type DB, outboxSchemas } from '@sp/db';
import { messageIdOf, queueNames } from '@sp/queue';
import { type SmtpSink, waitFor } from '@sp/testing';
import { Queue } from 'bullmq';
import { type Kysely, sql } from 'kysely';

/** What every fault test prints, and asserts `lost` and `duplicates` on. */
export type Counts = {
  submitted: number;
  accepted: number;
  delivered: number;
  duplicates: number;
  lost: number;
  /** Requests refused or cut because they were in flight at a fault (where a test allows it). */
  failedInFlight?: number;
};

/** Prints one line of counts per thing measured, in a form a CI log can grep. */
export function printCounts(test: string, rows: Record<string, Counts>): void {
  const lines = Object.entries(rows).map(
    ([what, c]) =>
      `  ${what.padEnd(24)} submitted=${c.submitted} accepted=${c.accepted}` +
      (c.failedInFlight === undefined ? '' : ` failed-in-flight=${c.failedInFlight}`) +
      ` delivered=${c.delivered} duplicates=${c.duplicates} lost=${c.lost}`,
  );
  console.log(`[resilience] ${test}\n${lines.join('\n')}`);
}

/** Outbox rows still waiting for the relay, in every outbox (the services' and `reports`). */
export async function unsentOutboxRows(db: Kysely<DB>): Promise<number> {
  const bySchema = await unsentOutboxRowsBySchema(db);
  return Object.values(bySchema).reduce((a, b) => a + b, 0);
}

/** Each outbox's rows not yet sent, by schema. */
async function unsentOutboxRowsBySchema(db: Kysely<DB>): Promise<Record<string, number>> {
  const unsent: Record<string, number> = {};
  for (const schema of outboxSchemas) {
    const row = await db
      .selectFrom(`${schema}.outbox`)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('sentAt', 'is', null)
      .executeTakeFirstOrThrow();
    unsent[schema] = Number(row.n);
  }
  return unsent;
}

/**
 * Every mail asked for through an outbox (the services', and `reports` for report links: their
 * `email.send` rows, by idempotency key) and what reached the SMTP server, matched by the
 * Message-ID the worker sends for that key (the payload's own, or one made from the delivery's
 * id). `delivered` counts keys received at least once, `duplicates` the receipts beyond the
 * first, `lost` the keys never received.
 */
export async function mailLedger(
  db: Kysely<DB>,
  sink: SmtpSink,
  { keys }: { keys?: (key: string) => boolean } = {},
): Promise<Counts & { repeatedKeys: string[]; missingKeys: string[] }> {
  const requested: { key: string; messageId: string | null }[] = [];
  for (const schema of outboxSchemas) {
    const rows = await db
      .selectFrom(`${schema}.outbox`)
      .select([
        sql<string>`payload->>'idempotencyKey'`.as('key'),
        sql<string | null>`payload->>'messageId'`.as('messageId'),
      ])
      .where('name', '=', 'email.send')
      .execute();
    requested.push(...rows.filter((r) => !keys || keys(r.key)));
  }
  const deliveries = new Map(
    (await db.selectFrom('notifications.delivery').select(['id', 'idempotencyKey']).execute()).map(
      (d) => [d.idempotencyKey, d.id],
    ),
  );
  const received = new Map<string, number>();
  for (const mail of sink.received)
    if (mail.messageId) received.set(mail.messageId, (received.get(mail.messageId) ?? 0) + 1);

  const repeatedKeys: string[] = [];
  const missingKeys: string[] = [];
  let delivered = 0;
  let duplicates = 0;
  for (const { key, messageId } of requested) {
    const deliveryId = deliveries.get(key);
    const id = messageId ?? (deliveryId ? messageIdOf(deliveryId) : undefined);
    const times = id ? (received.get(id) ?? 0) : 0;
    if (times === 0) missingKeys.push(key);
    else delivered++;
    if (times > 1) {
      duplicates += times - 1;
      repeatedKeys.push(key);
    }
  }
  return {
    submitted: requested.length,
    accepted: requested.length,
    delivered,
    duplicates,
    lost: missingKeys.length,
    repeatedKeys,
    missingKeys,
  };
}

/** Jobs of the notifications queue not finished yet, by state (waiting, delayed, active, …). */
async function notificationCounts(
  redisUrl: string,
  prefix: string,
): Promise<Record<string, number>> {
  const queue = new Queue(queueNames.notifications, {
    connection: { url: redisUrl, maxRetriesPerRequest: 1 },
    prefix,
  });
  try {
    return await queue.getJobCounts(
      'waiting',
      'delayed',
      'active',
      'prioritized',
      'waiting-children',
    );
  } finally {
    await queue.close();
  }
}

/** Jobs of the notifications queue not finished yet (waiting, delayed, active, prioritised). */
export async function notificationsInFlight(redisUrl: string, prefix: string): Promise<number> {
  const counts = await notificationCounts(redisUrl, prefix);
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/**
 * Waits until every outbox row is sent and the notifications queue has no unfinished job. When
 * it times out, the error names what was left (each outbox's unsent rows, the queue's jobs by
 * state) and quotes `problems()` (the processes' last warnings and errors), so a failure in CI
 * says whether a relay or the worker stopped, and why.
 */
export async function waitForDrain(
  db: Kysely<DB>,
  queue: { redisUrl: string; prefix: string },
  options: { timeoutMs: number; problems?: () => string },
): Promise<void> {
  // What the last complete check found; undefined until one has completed.
  let left: Record<string, number> | undefined;
  await waitFor(
    async () => {
      const found: Record<string, number> = {};
      for (const [schema, n] of Object.entries(await unsentOutboxRowsBySchema(db)))
        if (n > 0) found[`${schema} outbox rows unsent`] = n;
      for (const [state, n] of Object.entries(
        await notificationCounts(queue.redisUrl, queue.prefix),
      ))
        if (n > 0) found[`notification jobs ${state}`] = n;
      left = found;
      return Object.keys(found).length === 0;
    },
    'the outboxes and the notifications queue to drain',
    { timeoutMs: options.timeoutMs, intervalMs: 500 },
  ).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${message}; left at the last complete check: ${left ? JSON.stringify(left) : 'none completed'}\n` +
        (options.problems?.() ?? ''),
      { cause: error },
    );
  });
}
