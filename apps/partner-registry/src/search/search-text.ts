/**
 * How a search box's text becomes Postgres text-search queries, mirroring how migration 0012
 * indexes documents: NFKC and lower case; runs of kana/kanji become character bigrams (a
 * one-character run a prefix); other letters and digits are words for the `english`
 * configuration (stemmed), the last one a prefix so a half-typed word still finds.
 */

/** Kana and kanji, as `registry.search_cjk_grams` (migration 0012) cuts them. */
const CJK_RUN = /[\u3005\u3006\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

export type SearchTerms = {
  /** Latin (and other non-CJK) words, normalised. */
  words: string[];
  /** Runs of kana/kanji, normalised. */
  cjk: string[];
};

export const normalize = (text: string): string => text.normalize('NFKC').toLowerCase();

export function searchTerms(text: string): SearchTerms {
  const normal = normalize(text);
  const cjk = [...normal.matchAll(CJK_RUN)].map((m) => m[0]);
  const words = [...normal.replace(CJK_RUN, ' ').matchAll(WORD)].map((m) => m[0]);
  return { words: [...new Set(words)].slice(0, 20), cjk: [...new Set(cjk)].slice(0, 20) };
}

/** The bigrams of a run (東京大学 → 東京, 京大, 大学); a one-character run is itself. */
export function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length < 2) return chars;
  return [...new Set(chars.slice(1).map((c, i) => chars[i]! + c))];
}

/** Input for `to_tsquery('english', …)`: every word required, the last as a prefix. */
export function englishQuery(words: string[]): string | null {
  if (words.length === 0) return null;
  // Words hold only letters and digits (WORD), so quoting them is enough.
  return words.map((w, i) => `'${w}'${i === words.length - 1 ? ':*' : ''}`).join(' & ');
}

/** Input for `to_tsquery('simple', …)`: every bigram of every run; one character a prefix. */
export function cjkQuery(runs: string[]): string | null {
  if (runs.length === 0) return null;
  return runs
    .flatMap((run) => ([...run].length === 1 ? [`'${run}':*`] : bigrams(run).map((b) => `'${b}'`)))
    .join(' & ');
}
