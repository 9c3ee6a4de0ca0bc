import { checkAttachments, safeFilename } from './attachment-policy';

const limits = {
  contentTypes: ['application/pdf', 'image/png'],
  maxFileBytes: 100,
  maxFiles: 2,
  maxTotalBytes: 150,
};
const pdf = (filename = 'a.pdf', size = 10) => ({
  filename,
  size,
  detectedType: 'application/pdf',
});

describe('attachment limits', () => {
  it('accepts allowed files within the limits, and none at all', () => {
    expect(() => checkAttachments([pdf(), pdf('b.PDF', 100)], limits)).not.toThrow();
    expect(() => checkAttachments([], limits)).not.toThrow();
  });

  it('refuses too many files (413)', () => {
    expect(() => checkAttachments([pdf(), pdf(), pdf()], limits)).toThrow(
      expect.objectContaining({
        code: 'payload-too-large',
        errors: [expect.objectContaining({ field: 'attachments', code: 'too_many' })],
      }),
    );
  });

  it('refuses a file over the per-file limit, naming it (413)', () => {
    expect(() => checkAttachments([pdf(), pdf('big.pdf', 101)], limits)).toThrow(
      expect.objectContaining({
        code: 'payload-too-large',
        errors: [expect.objectContaining({ field: 'attachments.1', code: 'too_large' })],
      }),
    );
  });

  it('refuses files over the total limit (413)', () => {
    expect(() => checkAttachments([pdf('a.pdf', 80), pdf('b.pdf', 80)], limits)).toThrow(
      expect.objectContaining({
        code: 'payload-too-large',
        errors: [expect.objectContaining({ field: 'attachments' })],
      }),
    );
  });

  it('refuses content of a type not allowed, or not recognised, whatever its name (415)', () => {
    const exe = { filename: 'report.pdf', size: 10, detectedType: 'application/x-msdownload' };
    const unknown = { filename: 'notes.pdf', size: 10, detectedType: undefined };
    expect(() => checkAttachments([exe, unknown], limits)).toThrow(
      expect.objectContaining({
        code: 'unsupported-media-type',
        errors: [
          expect.objectContaining({ field: 'attachments.0', code: 'type_not_allowed' }),
          expect.objectContaining({ field: 'attachments.1', code: 'type_not_allowed' }),
        ],
      }),
    );
  });

  it('refuses an allowed type under a name that does not fit it (415)', () => {
    expect(() => checkAttachments([pdf('run.exe')], limits)).toThrow(
      expect.objectContaining({
        code: 'unsupported-media-type',
        errors: [expect.objectContaining({ code: 'name_does_not_match_content' })],
      }),
    );
  });

  it('keeps only a safe base name', () => {
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('C:\\x\\report "v2".pdf')).toBe('report v2.pdf');
    expect(safeFilename('a\u0000b\n.pdf')).toBe('ab.pdf');
    expect(safeFilename('')).toBe('attachment');
    expect(safeFilename('', 'application/pdf')).toBe('attachment.pdf');
    expect(safeFilename('../', 'image/jpeg')).toBe('attachment.jpg');
    expect(safeFilename('', 'text/x-unknown')).toBe('attachment');
  });
});
