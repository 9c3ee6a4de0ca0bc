import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { KYSELY } from '@sp/platform';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';

export type AgreementRow = Selectable<DB['registry.agreement']>;

/** The only code that reads and writes `registry.agreement`. */
@Injectable()
export class AgreementsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  /** A partner's agreements, oldest first (a year-only signing counts from 1 January), then by title. */
  listForPartner(
    partnerId: string,
    db: Kysely<DB> | Transaction<DB> = this.db,
  ): Promise<AgreementRow[]> {
    return db
      .selectFrom('registry.agreement')
      .selectAll()
      .where('partnerId', '=', partnerId)
      .orderBy(sql`coalesce(signed_on, make_date(signed_year, 1, 1))`, 'asc')
      .orderBy('title')
      .execute();
  }
}
