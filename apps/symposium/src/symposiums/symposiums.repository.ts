import { Inject, Injectable } from '@nestjs/common';
import type { DB, SymposiumDocumentTable, SymposiumTable } from '@sp/db';
import { KYSELY } from '@sp/platform';
import type { SymposiumListQuery } from '@sp/types';
import type { Kysely, Selectable } from 'kysely';

export type SymposiumRow = Selectable<SymposiumTable>;
export type DocumentRow = Selectable<SymposiumDocumentTable>;

@Injectable()
export class SymposiumsRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  list(query: SymposiumListQuery): Promise<SymposiumRow[]> {
    let q = this.db.selectFrom('symposium.symposium').selectAll().orderBy('heldOn', query.order);
    if (query.status) q = q.where('status', '=', query.status);
    return q.execute();
  }

  findById(id: string): Promise<SymposiumRow | undefined> {
    return this.db
      .selectFrom('symposium.symposium')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The documents of several symposiums in one query, in their listed order. */
  documentsOf(symposiumIds: string[]): Promise<DocumentRow[]> {
    if (symposiumIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('symposium.document')
      .selectAll()
      .where('symposiumId', 'in', symposiumIds)
      .orderBy('symposiumId')
      .orderBy('position')
      .orderBy('createdAt')
      .execute();
  }
}
