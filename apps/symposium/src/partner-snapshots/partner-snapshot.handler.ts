import { Injectable } from '@nestjs/common';
import { type DB, upsertPartnerSnapshot } from '@sp/db';
import type { RegistryEventHandler } from '@sp/platform';
import type { RegistryEvent, RegistryEventName } from '@sp/types';
import type { Transaction } from 'kysely';

/**
 * Keeps symposium's snapshot of the registry's partners current: every `partner.*` event writes
 * the partner, the higher partner version winning whatever order events arrive in.
 */
@Injectable()
export class PartnerSnapshotHandler implements RegistryEventHandler {
  handle(_name: RegistryEventName, partner: RegistryEvent, trx: Transaction<DB>): Promise<void> {
    return upsertPartnerSnapshot(trx, 'symposium', partner);
  }
}
