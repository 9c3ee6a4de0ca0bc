import { AppError } from '@sp/platform';
import { checkDocumentFile, safeFileName } from './document-file';

const limits = { contentTypes: ['application/pdf', 'image/png'], maxBytes: 1000 };
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return undefined;
};

describe('checkDocumentFile', () => {
  it('accepts an allowed type within the size limit, answering the type', () => {
    expect(checkDocumentFile({ detectedType: 'application/pdf', size: 1000 }, limits)).toBe(
      'application/pdf',
    );
  });

  it('refuses a type not allowed, or none recognised (e.g. HTML), with 415', () => {
    expect(codeOf(() => checkDocumentFile({ detectedType: 'video/mp4', size: 10 }, limits))).toBe(
      'unsupported-media-type',
    );
    expect(codeOf(() => checkDocumentFile({ detectedType: undefined, size: 10 }, limits))).toBe(
      'unsupported-media-type',
    );
  });

  it('refuses a file over the limit with 413, and an empty one with 400', () => {
    expect(
      codeOf(() => checkDocumentFile({ detectedType: 'application/pdf', size: 1001 }, limits)),
    ).toBe('payload-too-large');
    expect(
      codeOf(() => checkDocumentFile({ detectedType: 'application/pdf', size: 0 }, limits)),
    ).toBe('validation-error');
  });
});

describe('safeFileName', () => {
  it('keeps the base name without quotes or control characters', () => {
    expect(safeFileName('C:\\tmp\\report "final".pdf')).toBe('report final.pdf');
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('\u0000')).toBeNull();
    expect(safeFileName(undefined)).toBeNull();
  });
});
