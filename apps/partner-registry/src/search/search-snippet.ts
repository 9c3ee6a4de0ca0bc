/** Marks `ts_headline` puts around the English matches (private-use characters). */
export const START_MARK = '\ue000';
export const STOP_MARK = '\ue001';

export type Highlight = { start: number; end: number };

/**
 * A plain-text snippet with the spans that matched: the English matches `ts_headline` marked,
 * plus every occurrence of the query's Japanese runs (which ts_headline cannot find, as they
 * are indexed as bigrams). A long text is cut to `max` characters around the first match.
 */
export function buildSnippet(
  headline: string,
  cjkRuns: string[],
  max = 200,
): { snippet: string; highlights: Highlight[] } {
  let text = '';
  const spans: Highlight[] = [];
  let open = -1;
  for (const ch of headline) {
    if (ch === START_MARK) open = text.length;
    else if (ch === STOP_MARK) {
      if (open >= 0 && text.length > open) spans.push({ start: open, end: text.length });
      open = -1;
    } else text += ch;
  }
  const folded = text.normalize('NFKC') === text ? text : null;
  for (const run of cjkRuns) {
    if (!folded) break;
    for (let at = folded.indexOf(run); at >= 0; at = folded.indexOf(run, at + run.length))
      spans.push({ start: at, end: at + run.length });
  }
  const merged = mergeSpans(spans);
  if (text.length <= max) return { snippet: text, highlights: merged };

  const first = merged[0]?.start ?? 0;
  const from = Math.max(0, Math.min(first - 40, text.length - max));
  const to = Math.min(text.length, from + max);
  const prefix = from > 0 ? '…' : '';
  const suffix = to < text.length ? '…' : '';
  const shift = prefix.length - from;
  return {
    snippet: prefix + text.slice(from, to) + suffix,
    highlights: merged
      .filter((s) => s.start >= from && s.end <= to)
      .map((s) => ({ start: s.start + shift, end: s.end + shift })),
  };
}

function mergeSpans(spans: Highlight[]): Highlight[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Highlight[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}
