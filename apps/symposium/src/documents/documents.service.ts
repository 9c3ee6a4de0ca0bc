import { Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, AuditLog, checkVersion, type ExpectedVersion } from '@sp/platform';
import type {
  SymposiumDocumentCreate,
  SymposiumDocumentRecord,
  SymposiumDocumentUpdate,
} from '@sp/types';
import type { Transaction } from 'kysely';
import { checkHasText, mergeBilingual, toBilingual } from '../common/bilingual';
import { checkDocumentContent } from './document-content';
import { type DocumentRow, toDocumentRecord } from './documents.mapper';
import { DocumentsRepository } from './documents.repository';

/** A symposium's documents: links and uploaded files, drafts until published. */
@Injectable()
export class DocumentsService {
  constructor(
    private readonly repo: DocumentsRepository,
    private readonly audit: AuditLog,
  ) {}

  /** The documents of several symposiums, in order (`publishedOnly` for the public's view). */
  listFor(
    symposiumIds: string[],
    publishedOnly: boolean,
    trx?: Transaction<DB>,
  ): Promise<DocumentRow[]> {
    return this.repo.listFor(symposiumIds, publishedOnly, trx);
  }

  async get(symposiumId: string, id: string): Promise<SymposiumDocumentRecord> {
    const row = await this.repo.find(symposiumId, id);
    if (!row) throw AppError.notFound('document', id);
    return toDocumentRecord(row);
  }

  /** A document of an unknown symposium is a 404; a taken kind/language/title a 409. */
  create(symposiumId: string, input: SymposiumDocumentCreate): Promise<SymposiumDocumentRecord> {
    const title = toBilingual(input.title);
    const url = input.url ?? null;
    const published = input.published ?? false;
    checkDocumentContent({ url, storageKey: null, published });
    return this.repo.transaction(async (trx) => {
      const row = await this.repo.insert(trx, {
        symposiumId,
        kind: input.kind,
        language: input.language,
        title: title.en,
        titleJa: title.ja,
        url,
        publishedIn: input.publishedIn ?? null,
        published,
        position: input.position ?? 0,
      });
      const record = toDocumentRecord(row);
      await this.audit.record(trx, {
        entity: 'symposium-document',
        entityId: row.id,
        action: 'create',
        after: record,
      });
      return record;
    });
  }

  update(
    symposiumId: string,
    id: string,
    patch: SymposiumDocumentUpdate,
    expected: ExpectedVersion,
  ): Promise<SymposiumDocumentRecord> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findForUpdate(trx, symposiumId, id);
      if (!current) throw AppError.notFound('document', id);
      checkVersion(current.version, expected, 'document');
      const { title: titlePatch, ...fields } = patch;
      const title = titlePatch
        ? mergeBilingual({ en: current.title, ja: current.titleJa }, titlePatch)
        : undefined;
      if (title) checkHasText(title, 'title');
      // Checked when the change touches what is shown (documents listed before links were kept,
      // such as the seeded ones, stay editable).
      if (fields.published !== undefined || fields.url !== undefined)
        checkDocumentContent({
          url: fields.url === undefined ? current.url : fields.url,
          storageKey: current.storageKey,
          published: fields.published ?? current.published,
        });
      const row = await this.repo.update(trx, current, {
        ...fields,
        ...(title ? { title: title.en, titleJa: title.ja } : {}),
      });
      const record = toDocumentRecord(row);
      await this.audit.record(trx, {
        entity: 'symposium-document',
        entityId: id,
        action: 'update',
        before: toDocumentRecord(current),
        after: record,
      });
      return record;
    });
  }

  /** Deletes the row; the uploaded file, if any, is returned for removal after the commit. */
  async remove(symposiumId: string, id: string, expected: ExpectedVersion): Promise<DocumentRow> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findForUpdate(trx, symposiumId, id);
      if (!current) throw AppError.notFound('document', id);
      checkVersion(current.version, expected, 'document');
      await this.repo.delete(trx, id);
      await this.audit.record(trx, {
        entity: 'symposium-document',
        entityId: id,
        action: 'delete',
        before: toDocumentRecord(current),
      });
      return current;
    });
  }
}
