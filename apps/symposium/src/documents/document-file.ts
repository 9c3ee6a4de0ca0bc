import { AppError } from '@sp/platform';

export type DocumentFileLimits = { contentTypes: readonly string[]; maxBytes: number };

/**
 * An uploaded document file is accepted when its bytes are one of the allowed types (what the
 * sender claims is not asked: HTML or a script renamed `.pdf` has no recognised type) and it is
 * not over the size limit. 415 or 413 naming `file` otherwise.
 */
export function checkDocumentFile(
  file: { detectedType: string | undefined; size: number },
  limits: DocumentFileLimits,
): string {
  if (file.size === 0)
    throw new AppError('validation-error', 'invalid body: file', {
      errors: [{ in: 'body', field: 'file', message: 'is empty', code: 'too_small' }],
    });
  if (file.size > limits.maxBytes)
    throw new AppError('payload-too-large', `the file is over ${limits.maxBytes} bytes`, {
      errors: [
        {
          in: 'body',
          field: 'file',
          message: `must be at most ${limits.maxBytes} bytes`,
          code: 'too_large',
        },
      ],
    });
  if (!file.detectedType || !limits.contentTypes.includes(file.detectedType))
    throw new AppError(
      'unsupported-media-type',
      `the file's content is ${file.detectedType ?? 'not a recognised type'}; allowed: ${limits.contentTypes.join(', ')}`,
      {
        errors: [
          {
            in: 'body',
            field: 'file',
            message: `must be one of: ${limits.contentTypes.join(', ')} (checked by content)`,
            code: 'unsupported_type',
          },
        ],
      },
    );
  return file.detectedType;
}

// Control characters and quotes: never part of a shown or quoted file name.
// eslint-disable-next-line no-control-regex
const unsafeNameCharacters = /[\u0000-\u001f\u007f"]/g;

/** A file name safe to show and to put in `Content-Disposition` (no path, no control characters). */
export function safeFileName(name: string | undefined): string | null {
  if (!name) return null;
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(unsafeNameCharacters, '').trim().slice(0, 200);
  return clean.length > 0 ? clean : null;
}
