/**
 * Compile-time checks of `writeOutbox` (run by the typecheck task, not by Jest): each
 * `@ts-expect-error` line must fail to compile, and tsc fails if one ever compiles.
 */
import type { Transaction } from 'kysely';
import { type DB, type EventData, writeOutbox } from '../src/index';

declare const trx: Transaction<DB>;

const snapshot: EventData<'partner.created'> = {
  id: '0a000000-0000-4000-8000-00000000000a',
  nameEn: 'Typed University',
  nameJa: null,
  country: 'JP',
  status: 'primary',
  updatedAt: '2026-11-25T00:00:00.000Z',
};
const mail: EventData<'email.send'> = {
  template: 'report-ready',
  locale: 'en',
  to: ['staff@example.org'],
  data: { title: 'Partners 2026' },
  idempotencyKey: 'typed-1',
};
const dormant = { ...snapshot, status: 'dormant' };
const changed = { ...snapshot, previousStatus: 'prospective' as const };
const noPrevious = { ...snapshot };
const english = { ...mail, locale: 'fr' };

export async function compiles(): Promise<void> {
  await writeOutbox(trx, 'registry', { name: 'partner.created', payload: snapshot });
  await writeOutbox(trx, 'registry', { name: 'partner.status-changed', payload: changed });
  await writeOutbox(trx, 'registry', { name: 'email.send', payload: mail });
  // Several messages of different names in one call, each checked against its own contract.
  await writeOutbox(
    trx,
    'registry',
    { name: 'partner.updated', payload: snapshot },
    { name: 'email.send', payload: mail },
  );
}

export async function doesNotCompile(): Promise<void> {
  // @ts-expect-error status "dormant" is not a PartnerStatus
  await writeOutbox(trx, 'registry', { name: 'partner.created', payload: dormant });
  // @ts-expect-error partner.status-changed carries the previous status
  await writeOutbox(trx, 'registry', { name: 'partner.status-changed', payload: noPrevious });
  // @ts-expect-error a partner snapshot is not an email.send job
  await writeOutbox(trx, 'registry', { name: 'email.send', payload: snapshot });
  // @ts-expect-error an email in a language the templates do not have
  await writeOutbox(trx, 'registry', { name: 'email.send', payload: english });
  // @ts-expect-error no topic carries partner.deleted
  await writeOutbox(trx, 'registry', { name: 'partner.deleted', payload: snapshot });
  // @ts-expect-error the topic follows from the name: it is not given
  await writeOutbox(trx, 'registry', { topic: 'notifications', name: 'email.send', payload: mail });
  // @ts-expect-error a partner snapshot is not a symposium event
  await writeOutbox(trx, 'symposium', { name: 'symposium.created', payload: snapshot });
}
