import {
  activityRecordEvents,
  agreementEvents,
  deskEvents,
  emailSendSchema,
  fundingRecordEvents,
  importAppliedSchema,
  inquiryEvents,
  mobilityRecordEvents,
  peopleEvents,
  registrationEvents,
  registryEvents,
  reportEvents,
  symposiumEvents,
} from '@sp/types';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import { precompiledShapes, type SlotOf } from './precompiled';
import type { DB, OutboxSchema } from './schema/index';

/**
 * What each outbox topic carries: its messages' names and contracts. A message's name says
 * its topic; never rename one (waiting jobs carry it). The queues each topic is delivered to
 * are in @sp/queue's topic table, which lists these too. Kept here, next to the outbox table,
 * so the seed (in this package) publishes through the same contracts as the services.
 */
export const topicMessages = {
  'registry-events': registryEvents,
  /** Mail a change must cause, sent only if the change commits. */
  notifications: { 'email.send': emailSendSchema },
  /**
   * Domain events of each service (registry records beyond the partner itself: agreements,
   * people, activities, mobility, funding; symposiums and registrations; inquiries and their
   * messages). No service consumes them yet: the relay marks them sent without enqueueing
   * (their topics have no queues), so until a consumer appears they are the outbox's record of
   * what changed, kept for the outbox retention. A consumer gets a queue in @sp/queue's table.
   */
  'registry-records': {
    ...agreementEvents,
    ...peopleEvents,
    ...activityRecordEvents,
    ...mobilityRecordEvents,
    ...fundingRecordEvents,
    'import.applied': importAppliedSchema,
  },
  'symposium-events': { ...symposiumEvents, ...registrationEvents },
  'inquiry-events': { ...inquiryEvents, ...deskEvents },
  /** A report run to build, written with the run (the worker's reports outbox). */
  reports: reportEvents,
} as const satisfies Record<string, Record<string, z.ZodType>>;
export type Topic = keyof typeof topicMessages;

/** Every message an outbox can carry (registry events, and jobs a change must cause). */
export type EventName = { [T in Topic]: keyof (typeof topicMessages)[T] & string }[Topic];
/** The topic a message is published on. */
export type TopicOf<N extends EventName> = {
  [T in Topic]: N extends keyof (typeof topicMessages)[T] ? T : never;
}[Topic];
/** A message's payload as its contract accepts it (fields with a default may be left out). */
export type EventData<N extends EventName> = z.input<
  (typeof topicMessages)[TopicOf<N>][N & keyof (typeof topicMessages)[TopicOf<N>]]
>;

/** A message for the outbox: its name, and a payload that keeps that name's contract. */
export type OutboxMessage<N extends EventName = EventName> = {
  [K in N]: { name: K; payload: EventData<K> };
}[N];

/** Each message name's topic and contract (a name is on one topic). */
const contracts = new Map<string, { topic: Topic; schema: z.ZodType }>();
for (const topic of Object.keys(topicMessages) as Topic[]) {
  for (const [name, schema] of Object.entries<z.ZodType>(topicMessages[topic])) {
    if (contracts.has(name)) throw new Error(`message "${name}" is on two topics`);
    contracts.set(name, { topic, schema });
  }
}

/**
 * Records messages in the schema's outbox inside the caller's transaction: they are sent if
 * and only if the change commits. The relay (@sp/queue) delivers each with `jobId` = the row's
 * id to the queues of its topic.
 *
 * A payload must keep its message's contract: a wrong one does not compile, and one forced
 * past the compiler (a cast) is refused here (a ZodError) before any row is written. What is
 * written is the parsed payload (defaults applied, unknown keys dropped).
 */
export async function writeOutbox<N extends EventName>(
  trx: Transaction<DB>,
  schema: OutboxSchema,
  ...messages: OutboxMessage<N>[]
): Promise<void> {
  if (messages.length === 0) return;
  const values: Record<string, string> = {};
  const rows = messages.map((m: { name: string; payload: unknown }, i) => {
    const contract = contracts.get(m.name);
    if (!contract) throw new Error(`no outbox topic carries a message named "${m.name}"`);
    const row = {
      topic: contract.topic,
      name: m.name,
      payload: JSON.stringify(contract.schema.parse(m.payload)),
    };
    values[`topic${i}`] = row.topic;
    values[`name${i}`] = row.name;
    values[`payload${i}`] = row.payload;
    return row;
  });
  if (rows.length <= PRECOMPILED_ROWS) {
    await outboxInsert({ schema, count: rows.length })(trx, values);
  } else {
    await trx.insertInto(`${schema}.outbox`).values(rows).execute();
  }
}

/** Most writes record one to three messages; a longer list is built each time. */
const PRECOMPILED_ROWS = 8;

/** The insert of `count` messages into the schema's outbox, compiled once per schema and count. */
const outboxInsert = precompiledShapes(
  (
    db,
    slot: SlotOf<Record<string, string>>,
    { schema, count }: { schema: OutboxSchema; count: number },
  ) =>
    db.insertInto(`${schema}.outbox`).values(
      Array.from({ length: count }, (_, i) => ({
        topic: slot(`topic${i}`),
        name: slot(`name${i}`),
        payload: slot(`payload${i}`),
      })),
    ),
);
