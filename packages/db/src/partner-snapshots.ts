import { type Kysely, sql, type Transaction } from 'kysely';
import type { PartnerSnapshot } from '@sp/types';
import type { ConsumerSchema, DB } from './schema';

// Both consuming schemas have the same `partner` table; symposium's stands for them in types.
const tableOf = (schema: ConsumerSchema) => `${schema}.partner` as 'symposium.partner';

/**
 * Writes a partner into `schema`'s snapshot unless the snapshot already holds a later version:
 * the higher partner version wins whatever order events arrive in, so applying events twice
 * or out of order leaves the same row.
 */
export async function upsertPartnerSnapshot(
  trx: Transaction<DB>,
  schema: ConsumerSchema,
  partner: PartnerSnapshot,
): Promise<void> {
  const table = tableOf(schema);
  await trx
    .insertInto(table)
    .values({
      id: partner.id,
      nameEn: partner.nameEn,
      nameJa: partner.nameJa,
      country: partner.country,
      status: partner.status,
      sourceUpdatedAt: partner.updatedAt,
      sourceVersion: partner.version,
    })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          nameEn: eb.ref('excluded.nameEn'),
          nameJa: eb.ref('excluded.nameJa'),
          country: eb.ref('excluded.country'),
          status: eb.ref('excluded.status'),
          sourceUpdatedAt: eb.ref('excluded.sourceUpdatedAt'),
          sourceVersion: eb.ref('excluded.sourceVersion'),
          syncedAt: sql<Date>`now()`,
        }))
        // The higher version wins; events from before versions (0) order by time among
        // themselves.
        .where(
          sql<boolean>`(${sql.ref(`${table}.sourceVersion`)}, ${sql.ref(`${table}.sourceUpdatedAt`)})
            < (excluded.source_version, excluded.source_updated_at)`,
        ),
    )
    .execute();
}

/** The partner's status in `schema`'s snapshot; `undefined` while it is not synced yet. */
export async function partnerSnapshotStatus(
  db: Kysely<DB>,
  schema: ConsumerSchema,
  partnerId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom(tableOf(schema))
    .select('status')
    .where('id', '=', partnerId)
    .executeTakeFirst();
  return row?.status;
}
