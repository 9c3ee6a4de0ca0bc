import { bigrams, cjkQuery, englishQuery, searchTerms } from './search-text';

describe('searchTerms', () => {
  it('splits Japanese runs from English words, normalised', () => {
    expect(searchTerms('ＥＴＨ 東京大学との Collaborations')).toEqual({
      words: ['eth', 'collaborations'],
      cjk: ['東京大学との'],
    });
  });

  it('keeps half-width katakana as full-width (NFKC)', () => {
    expect(searchTerms('ｽｲｽ').cjk).toEqual(['スイス']);
  });

  it('drops punctuation and quotes, which could otherwise break the tsquery', () => {
    expect(searchTerms("o'brien & (x) | !y:*")).toEqual({
      words: ['o', 'brien', 'x', 'y'],
      cjk: [],
    });
  });
});

describe('bigrams', () => {
  it('cuts a run into overlapping pairs, one character stays itself', () => {
    expect(bigrams('東京大学')).toEqual(['東京', '京大', '大学']);
    expect(bigrams('東京')).toEqual(['東京']);
    expect(bigrams('東')).toEqual(['東']);
  });
});

describe('englishQuery and cjkQuery', () => {
  it('requires every word, the last one as a prefix', () => {
    expect(englishQuery(['joint', 'collaborations'])).toBe("'joint' & 'collaborations':*");
    expect(englishQuery([])).toBeNull();
  });

  it('requires every bigram; a single character is a prefix', () => {
    expect(cjkQuery(['東京大学', '研'])).toBe("'東京' & '京大' & '大学' & '研':*");
    expect(cjkQuery([])).toBeNull();
  });
});
