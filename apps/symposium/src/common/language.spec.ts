import { Localizer, negotiateLanguage, parseAcceptLanguage, resolveText } from './language';

describe('negotiateLanguage', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['ja', 'ja'],
    ['ja-JP,ja;q=0.9,en;q=0.8', 'ja'],
    ['en-GB,en;q=0.9,ja;q=0.8', 'en'],
    ['fr;q=1,ja;q=0.5,en;q=0.4', 'ja'],
    ['en;q=0.2, ja;q=0.7', 'ja'],
    ['ja;q=0.5, en;q=0.5', 'ja'],
    ['en;q=0, *', 'ja'],
    ['*;q=0.1', 'en'],
    ['fr, de', 'en'],
    ['en;q=0, ja;q=0', 'en'],
    ['JA', 'ja'],
    ['garbage;;;, ja;q=abc', 'ja'],
  ] as const)('Accept-Language %p → %s', (header, expected) => {
    expect(negotiateLanguage(header)).toBe(expected);
  });

  it('lets ?lang= override the header', () => {
    expect(negotiateLanguage('ja', 'en')).toBe('en');
    expect(negotiateLanguage('en', 'ja')).toBe('ja');
  });

  it('reads q values and skips malformed ranges', () => {
    expect(parseAcceptLanguage('en;q=0.5, @@, ja')).toEqual([
      { tag: 'en', q: 0.5, order: 0 },
      { tag: 'ja', q: 1, order: 2 },
    ]);
  });
});

describe('resolveText', () => {
  it('serves the reader’s language when there is text in it', () => {
    expect(resolveText({ en: 'Report', ja: '報告書' }, 'ja')).toEqual({
      text: '報告書',
      lang: 'ja',
      fallback: false,
    });
  });

  it('falls back to the other language, marked', () => {
    expect(resolveText({ en: null, ja: '報告書' }, 'en')).toEqual({
      text: '報告書',
      lang: 'ja',
      fallback: true,
    });
    expect(resolveText({ en: 'Report', ja: null }, 'ja')).toEqual({
      text: 'Report',
      lang: 'en',
      fallback: true,
    });
  });

  it('gives null when there is no text at all', () => {
    expect(resolveText({ en: null, ja: null }, 'en')).toBeNull();
  });
});

describe('Localizer', () => {
  it('reports the languages served for Content-Language, the reader’s first', () => {
    const l = new Localizer('en');
    expect(l.contentLanguage()).toBe('en');
    l.text({ en: null, ja: 'タイトル' });
    expect(l.contentLanguage()).toBe('ja');
    l.text({ en: 'Title', ja: null });
    expect(l.contentLanguage()).toBe('en, ja');
  });

  it('refuses a required text with no language', () => {
    expect(() => new Localizer('ja').required({ en: null, ja: null })).toThrow();
  });
});
