import { AppError } from '@sp/platform';

/**
 * A document is a link or an uploaded file, never both; it may wait for its file as a draft,
 * but a published one has content to show.
 */
export function checkDocumentContent(doc: {
  url: string | null;
  storageKey: string | null;
  published: boolean;
}): void {
  if (doc.url !== null && doc.storageKey !== null)
    throw new AppError('validation-error', 'invalid body: url', {
      errors: [
        {
          in: 'body',
          field: 'url',
          message: 'a document with an uploaded file has no URL; remove the file first',
          code: 'custom',
        },
      ],
    });
  if (doc.published && doc.url === null && doc.storageKey === null)
    throw new AppError('validation-error', 'invalid body: published', {
      errors: [
        {
          in: 'body',
          field: 'published',
          message: 'a document is published with a URL or an uploaded file',
          code: 'custom',
        },
      ],
    });
}
