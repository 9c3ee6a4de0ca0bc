import type { DB } from '@sp/db';
import type { RegistryEvent, RegistryEventName } from '@sp/types';
import type { Transaction } from 'kysely';

/**
 * What a registry event does in a consuming service (e.g. keep its partner snapshot current).
 * Runs in the transaction that also records the event as processed, so it happens once per
 * event; it must be safe whatever order events arrive in.
 */
export type RegistryEventHandler = {
  handle(name: RegistryEventName, event: RegistryEvent, trx: Transaction<DB>): Promise<void>;
};
