import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import {
  APP_CONFIG,
  AppError,
  AuditLog,
  checkVersion,
  type ExpectedVersion,
  FILE_STORE,
  type FileStore,
  Gate,
} from '@sp/platform';
import { fileTypeFromBuffer } from 'file-type';
import type {
  SymposiumDocumentCreate,
  SymposiumDocumentRecord,
  SymposiumDocumentUpdate,
} from '@sp/types';
import type { Transaction } from 'kysely';
import { checkHasText, mergeBilingual, toBilingual } from '../common/bilingual';
import type { AppConfig } from '../config';
import { checkDocumentContent } from './document-content';
import { checkDocumentFile, type DocumentFileLimits, safeFileName } from './document-file';
import { type DocumentRow, toDocumentRecord } from './documents.mapper';
import { DocumentsRepository } from './documents.repository';
import { isStaff } from '../common/caller';

/** A symposium's documents: links and uploaded files, drafts until published. */
@Injectable()
export class DocumentsService {
  readonly limits: DocumentFileLimits;

  constructor(
    private readonly repo: DocumentsRepository,
    private readonly audit: AuditLog,
    @Inject(FILE_STORE) private readonly store: FileStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limits = { contentTypes: config.DOCUMENT_TYPES, maxBytes: config.DOCUMENT_MAX_BYTES };
    this.uploads = new Gate(config.DOCUMENT_UPLOAD_CONCURRENCY);
    this.maxWaiting = config.DOCUMENT_UPLOADS_WAITING;
  }

  private readonly uploads: Gate;
  private readonly maxWaiting: number;

  /** Uploads being read and stored, and uploads waiting their turn. */
  get uploadsNow(): { reading: number; waiting: number } {
    return { reading: this.uploads.busy, waiting: this.uploads.queued };
  }

  /**
   * Runs an upload (reading its body, checking and storing its file) when its turn comes: at
   * most DOCUMENT_UPLOAD_CONCURRENCY at once, each holding its file in memory. With every slot
   * taken and DOCUMENT_UPLOADS_WAITING already waiting, a 503 with Retry-After, its body never
   * read. An upload whose client goes away (`gone`) while it waits leaves the line.
   */
  upload<T>(work: () => Promise<T>, gone?: AbortSignal): Promise<T> {
    if (this.uploads.full && this.uploads.queued >= this.maxWaiting)
      throw new AppError(
        'service-unavailable',
        'other document uploads are being stored; send this one again in a minute',
        { headers: { 'retry-after': '30' } },
      );
    return this.uploads.run(work, gone);
  }

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

  /** Changes the given fields; a link given replaces an uploaded file (removed after the commit). */
  async update(
    symposiumId: string,
    id: string,
    patch: SymposiumDocumentUpdate,
    expected: ExpectedVersion,
  ): Promise<SymposiumDocumentRecord> {
    let replacedFile: string | null = null;
    const updated = await this.repo.transaction(async (trx) => {
      const current = await this.repo.findForUpdate(trx, symposiumId, id);
      if (!current) throw AppError.notFound('document', id);
      checkVersion(current.version, expected, 'document');
      const { title: titlePatch, ...fields } = patch;
      const title = titlePatch
        ? mergeBilingual({ en: current.title, ja: current.titleJa }, titlePatch)
        : undefined;
      if (title) checkHasText(title, 'title');
      const dropsFile = typeof fields.url === 'string' && current.storageKey !== null;
      // Checked when the change touches what is shown (documents listed before links were kept,
      // such as the seeded ones, stay editable).
      if (fields.published !== undefined || fields.url !== undefined)
        checkDocumentContent({
          url: fields.url === undefined ? current.url : fields.url,
          storageKey: dropsFile ? null : current.storageKey,
          published: fields.published ?? current.published,
        });
      const row = await this.repo.update(trx, current, {
        ...fields,
        ...(title ? { title: title.en, titleJa: title.ja } : {}),
        ...(dropsFile
          ? { storageKey: null, contentType: null, sizeBytes: null, fileName: null }
          : {}),
      });
      if (dropsFile) replacedFile = current.storageKey;
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
    if (replacedFile) await this.store.delete(replacedFile);
    return updated;
  }

  /**
   * Stores an uploaded file as the document's content (replacing a link or an earlier file).
   * The type is checked by the bytes before anything is stored; the file is stored before the
   * transaction and removed again if it fails; the replaced file goes after the commit.
   */
  async attachFile(
    symposiumId: string,
    id: string,
    file: { fileName: string | undefined; data: Buffer },
    expected: ExpectedVersion,
  ): Promise<SymposiumDocumentRecord> {
    const contentType = checkDocumentFile(
      { detectedType: (await fileTypeFromBuffer(file.data))?.mime, size: file.data.length },
      this.limits,
    );
    // A request that will be refused (no such document, a stale If-Match) is refused before
    // the file is written; the transaction checks both again, for a change in between.
    const found = await this.repo.find(symposiumId, id);
    if (!found) throw AppError.notFound('document', id);
    checkVersion(found.version, expected, 'document');
    const storageKey = `symposium/documents/${id}/${randomUUID()}`;
    const { size } = await this.store.put(storageKey, file.data);
    let replaced: string | null = null;
    try {
      const record = await this.repo.transaction(async (trx) => {
        const current = await this.repo.findForUpdate(trx, symposiumId, id);
        if (!current) throw AppError.notFound('document', id);
        checkVersion(current.version, expected, 'document');
        replaced = current.storageKey;
        const row = await this.repo.update(trx, current, {
          url: null,
          storageKey,
          contentType,
          sizeBytes: size,
          fileName: safeFileName(file.fileName),
        });
        const after = toDocumentRecord(row);
        await this.audit.record(trx, {
          entity: 'symposium-document',
          entityId: id,
          action: 'attach-file',
          before: toDocumentRecord(current),
          after,
        });
        return after;
      });
      if (replaced) await this.store.delete(replaced);
      return record;
    } catch (error) {
      await this.store.delete(storageKey);
      throw error;
    }
  }

  /** A document's file: staff reach any, others a published document's only (404 otherwise). */
  async openFile(
    symposiumId: string,
    id: string,
  ): Promise<{ stream: Readable; contentType: string; size: number; fileName: string | null }> {
    const staff = isStaff();
    const [row, status] = await Promise.all([
      this.repo.find(symposiumId, id),
      staff ? undefined : this.repo.symposiumStatus(symposiumId),
    ]);
    // A planned symposium is staff's own: its documents are not found for anyone else.
    if (status === 'planned')
      throw new AppError('not-found', `document ${id} has no file to download`);
    if (!row || !row.storageKey || !row.contentType || (!row.published && !staff))
      throw new AppError('not-found', `document ${id} has no file to download`);
    return {
      stream: await this.store.get(row.storageKey),
      contentType: row.contentType,
      size: Number(row.sizeBytes ?? 0),
      fileName: row.fileName,
    };
  }

  /** Deletes the row, then (after the commit) its uploaded file. */
  async remove(symposiumId: string, id: string, expected: ExpectedVersion): Promise<DocumentRow> {
    const removed = await this.repo.transaction(async (trx) => {
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
    if (removed.storageKey) await this.store.delete(removed.storageKey);
    return removed;
  }
}
