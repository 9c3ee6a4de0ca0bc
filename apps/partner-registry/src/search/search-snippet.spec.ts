import { buildSnippet, START_MARK as S, STOP_MARK as E } from './search-snippet';

const marked = (snippet: string, highlights: { start: number; end: number }[]) =>
  highlights.map((h) => snippet.slice(h.start, h.end));

describe('buildSnippet', () => {
  it("turns ts_headline's marks into spans of the plain text", () => {
    const out = buildSnippet(`We ${S}collaborate${E} with ${S}ETH${E} Zurich`, []);
    expect(out.snippet).toBe('We collaborate with ETH Zurich');
    expect(marked(out.snippet, out.highlights)).toEqual(['collaborate', 'ETH']);
  });

  it('marks every occurrence of a Japanese run', () => {
    const out = buildSnippet('東京大学と東京工業大学の共同研究', ['東京']);
    expect(out.highlights).toEqual([
      { start: 0, end: 2 },
      { start: 5, end: 7 },
    ]);
  });

  it('cuts a long text around the first match, with ellipses, and keeps spans aligned', () => {
    const text = `${'あ'.repeat(300)}共同研究${'い'.repeat(300)}`;
    const out = buildSnippet(text, ['共同研究'], 100);
    expect(out.snippet.startsWith('…')).toBe(true);
    expect(out.snippet.endsWith('…')).toBe(true);
    expect(marked(out.snippet, out.highlights)).toEqual(['共同研究']);
    expect(out.snippet.length).toBe(102);
  });

  it('merges overlapping spans', () => {
    const out = buildSnippet(`${S}東京${E}大学`, ['東京大学']);
    expect(out.highlights).toEqual([{ start: 0, end: 4 }]);
  });
});
