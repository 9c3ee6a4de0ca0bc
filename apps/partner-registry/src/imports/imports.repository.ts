import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { KYSELY } from '@sp/platform';
import type { Kysely, Transaction } from 'kysely';

/**
 * Imports own no table: the rows they create are written by each kind's own module, inside the
 * one transaction this opens for the whole file.
 */
@Injectable()
export class ImportsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  transaction<T>(work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }
}
