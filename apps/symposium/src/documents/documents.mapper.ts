import type { SymposiumDocumentTable } from '@sp/db';
import type { DocumentFile, SymposiumDocument, SymposiumDocumentRecord } from '@sp/types';
import type { Selectable } from 'kysely';
import type { Localizer } from '../common/language';

export type DocumentRow = Selectable<SymposiumDocumentTable>;

/** Where an uploaded document is downloaded. */
export const fileHref = (d: Pick<DocumentRow, 'id' | 'symposiumId'>): string =>
  `/symposiums/${d.symposiumId}/documents/${d.id}/file`;

const toFile = (d: DocumentRow): DocumentFile | null =>
  d.storageKey && d.contentType
    ? {
        contentType: d.contentType,
        sizeBytes: Number(d.sizeBytes ?? 0),
        fileName: d.fileName,
        href: fileHref(d),
      }
    : null;

/** A document as stored (staff): both titles and its version. */
export const toDocumentRecord = (d: DocumentRow): SymposiumDocumentRecord => ({
  id: d.id,
  symposiumId: d.symposiumId,
  kind: d.kind,
  language: d.language,
  title: { en: d.title, ja: d.titleJa },
  url: d.url,
  file: toFile(d),
  publishedIn: d.publishedIn,
  published: d.published,
  position: d.position,
  version: Number(d.version),
  updatedAt: d.updatedAt.toISOString(),
});

/** A document in the reader's language. */
export const toDocument = (d: DocumentRow, l: Localizer): SymposiumDocument => ({
  id: d.id,
  kind: d.kind,
  language: d.language,
  title: l.required({ en: d.title, ja: d.titleJa }),
  url: d.url,
  file: toFile(d),
  publishedIn: d.publishedIn,
  published: d.published,
});
