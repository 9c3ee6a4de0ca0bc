import { AppError } from '@sp/platform';
import { checkDocumentContent } from './document-content';

const field = (fn: () => void): string | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.errors?.[0]?.field;
    throw error;
  }
  return undefined;
};

describe('checkDocumentContent', () => {
  it('accepts a link or a file, published or not', () => {
    expect(
      field(() =>
        checkDocumentContent({ url: 'https://x.org/r.pdf', storageKey: null, published: true }),
      ),
    ).toBeUndefined();
    expect(
      field(() => checkDocumentContent({ url: null, storageKey: 'k', published: true })),
    ).toBeUndefined();
  });

  it('lets a draft wait for its file', () => {
    expect(
      field(() => checkDocumentContent({ url: null, storageKey: null, published: false })),
    ).toBeUndefined();
  });

  it('refuses publishing a document with nothing to show', () => {
    expect(
      field(() => checkDocumentContent({ url: null, storageKey: null, published: true })),
    ).toBe('published');
  });

  it('refuses a link beside a file', () => {
    expect(
      field(() =>
        checkDocumentContent({ url: 'https://x.org', storageKey: 'k', published: false }),
      ),
    ).toBe('url');
  });
});
