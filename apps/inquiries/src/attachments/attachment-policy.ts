import { AppError } from '@sp/platform';
import type { ProblemFieldError } from '@sp/types';

export type AttachmentLimits = {
  contentTypes: string[];
  maxFileBytes: number;
  maxFiles: number;
  maxTotalBytes: number;
};

/** A file as received, with the type its bytes show (`undefined`: not recognised). */
export type InspectedFile = { filename: string; size: number; detectedType: string | undefined };

/** File name extensions that fit each content type (a PDF named `.exe` is refused too). */
const extensions: Record<string, string[]> = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx'],
};

const extensionOf = (filename: string): string => {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
};

/**
 * Whether a set of attachments keeps the limits: at most `maxFiles`, each at most
 * `maxFileBytes`, together at most `maxTotalBytes` (413), each of an allowed type as its
 * bytes show, named with an extension that fits that type (415). Throws one problem naming
 * every offending file (`attachments.<n>`); checked before anything is stored.
 */
export function checkAttachments(files: InspectedFile[], limits: AttachmentLimits): void {
  if (files.length > limits.maxFiles) {
    throw new AppError('payload-too-large', `at most ${limits.maxFiles} attachments are allowed`, {
      errors: [tooMany(limits.maxFiles)],
    });
  }
  const tooLarge: ProblemFieldError[] = files.flatMap((f, i) =>
    f.size > limits.maxFileBytes
      ? [
          {
            in: 'body' as const,
            field: `attachments.${i}`,
            message: `"${f.filename}" has ${f.size} bytes; at most ${limits.maxFileBytes} are allowed`,
            code: 'too_large',
          },
        ]
      : [],
  );
  const total = files.reduce((sum, f) => sum + f.size, 0);
  if (total > limits.maxTotalBytes) {
    tooLarge.push({
      in: 'body',
      field: 'attachments',
      message: `the attachments have ${total} bytes together; at most ${limits.maxTotalBytes} are allowed`,
      code: 'too_large',
    });
  }
  if (tooLarge.length) {
    throw new AppError('payload-too-large', 'attachments over the size limit', {
      errors: tooLarge,
    });
  }
  const wrongType: ProblemFieldError[] = files.flatMap((f, i) => {
    const field = `attachments.${i}`;
    if (!f.detectedType || !limits.contentTypes.includes(f.detectedType)) {
      return [
        {
          in: 'body' as const,
          field,
          message: `the content of "${f.filename}" is ${f.detectedType ?? 'not a recognised file type'}; allowed: ${limits.contentTypes.join(', ')}`,
          code: 'type_not_allowed',
        },
      ];
    }
    const fitting = extensions[f.detectedType];
    if (fitting && !fitting.includes(extensionOf(f.filename))) {
      return [
        {
          in: 'body' as const,
          field,
          message: `"${f.filename}" holds ${f.detectedType}: its name must end in .${fitting.join(' or .')}`,
          code: 'name_does_not_match_content',
        },
      ];
    }
    return [];
  });
  if (wrongType.length) {
    throw new AppError('unsupported-media-type', 'attachments of a type not allowed', {
      errors: wrongType,
    });
  }
}

export const tooMany = (max: number): ProblemFieldError => ({
  in: 'body',
  field: 'attachments',
  message: `at most ${max} files may be attached`,
  code: 'too_many',
});

/**
 * A file name safe to keep and to offer as a download name: no path, no control characters.
 * A file sent without a usable name is `attachment`, with the extension of the type its bytes
 * show (so it passes the name check like every other file of that type).
 */
export function safeFilename(name: string, detectedType?: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  const extension = detectedType ? extensions[detectedType]?.[0] : undefined;
  return (clean || (extension ? `attachment.${extension}` : 'attachment')).slice(-200);
}
