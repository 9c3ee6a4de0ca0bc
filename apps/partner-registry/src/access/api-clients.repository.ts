import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { KYSELY } from '@sp/platform';
import {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';

type ApiClientTable = DB['registry.apiClient'];
export type ApiClientRow = Selectable<ApiClientTable>;

/** The only code that reads and writes `registry.api_client` (and reads partners' status for it). */
@Injectable()
export class ApiClientsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  partnerExists(partnerId: string): Promise<boolean> {
    return this.db
      .selectFrom('registry.partner')
      .select('id')
      .where('id', '=', partnerId)
      .executeTakeFirst()
      .then(Boolean);
  }

  /**
   * The partner's status, its row share-locked for the rest of the transaction: a partnership
   * cannot end while a client is being made for it (ending takes the row's update lock).
   */
  partnerStatusForShare(trx: Transaction<DB>, partnerId: string): Promise<string | undefined> {
    return trx
      .selectFrom('registry.partner')
      .select('status')
      .where('id', '=', partnerId)
      .forShare()
      .executeTakeFirst()
      .then((row) => row?.status);
  }

  /** A client with its partner's status (the token endpoint refuses clients of ended partners). */
  findWithPartnerStatus(
    id: string,
  ): Promise<(ApiClientRow & { partnerStatus: string }) | undefined> {
    return this.db
      .selectFrom('registry.apiClient as c')
      .innerJoin('registry.partner as p', 'p.id', 'c.partnerId')
      .selectAll('c')
      .select('p.status as partnerStatus')
      .where('c.id', '=', id)
      .executeTakeFirst();
  }

  /** A partner's clients not yet revoked, locked for update. */
  activeForPartnerForUpdate(trx: Transaction<DB>, partnerId: string): Promise<ApiClientRow[]> {
    return trx
      .selectFrom('registry.apiClient')
      .selectAll()
      .where('partnerId', '=', partnerId)
      .where('revokedAt', 'is', null)
      .orderBy('createdAt')
      .forUpdate()
      .execute();
  }

  findById(
    id: string,
    db: Kysely<DB> | Transaction<DB> = this.db,
  ): Promise<ApiClientRow | undefined> {
    return db.selectFrom('registry.apiClient').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByIdForUpdate(trx: Transaction<DB>, id: string): Promise<ApiClientRow | undefined> {
    return trx
      .selectFrom('registry.apiClient')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  listForPartner(partnerId: string): Promise<ApiClientRow[]> {
    return this.db
      .selectFrom('registry.apiClient')
      .selectAll()
      .where('partnerId', '=', partnerId)
      .orderBy('createdAt')
      .execute();
  }

  insert(trx: Transaction<DB>, values: Insertable<ApiClientTable>): Promise<ApiClientRow> {
    return trx
      .insertInto('registry.apiClient')
      .values(values)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  update(
    trx: Transaction<DB>,
    id: string,
    values: Updateable<ApiClientTable>,
  ): Promise<ApiClientRow> {
    return trx
      .updateTable('registry.apiClient')
      .set(values)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Coarse on purpose (once a minute at most): a busy client must not write on every token. */
  async touch(id: string): Promise<void> {
    await this.db
      .updateTable('registry.apiClient')
      .set({ lastUsedAt: sql<Date>`now()` })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('lastUsedAt', 'is', null),
          eb('lastUsedAt', '<', sql<Date>`now() - interval '1 minute'`),
        ]),
      )
      .execute();
  }
}
