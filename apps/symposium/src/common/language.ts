import type { BilingualText, Language, LocalizedText } from '@sp/types';

/** The service's languages, the first being the default when a reader states no preference. */
export const languages: readonly Language[] = ['en', 'ja'];

type Range = { tag: string; q: number; order: number };

/** The ranges of an `Accept-Language` header (RFC 9110 §12.5.4), malformed parts skipped. */
export function parseAcceptLanguage(header: string | undefined): Range[] {
  if (!header) return [];
  const ranges: Range[] = [];
  for (const [order, part] of header.split(',').entries()) {
    const [rawTag, ...params] = part.trim().split(';');
    const tag = rawTag?.trim().toLowerCase();
    if (!tag || !/^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/.test(tag)) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/i.exec(p);
      if (m?.[1] !== undefined) q = Number(m[1]);
    }
    ranges.push({ tag, q, order });
  }
  return ranges;
}

/**
 * The language to answer in: `?lang=` when given, else the most preferred of English and
 * Japanese in `Accept-Language` (by q value, then order; `en-GB` counts as `en`, `*` as any
 * language not named; q=0 refuses one), else English.
 */
export function negotiateLanguage(acceptLanguage: string | undefined, lang?: Language): Language {
  if (lang) return lang;
  const ranges = parseAcceptLanguage(acceptLanguage);
  const qOf = (language: Language): { q: number; order: number } | undefined => {
    const exact = ranges.find((r) => r.tag === language || r.tag.startsWith(`${language}-`));
    if (exact) return exact;
    const wildcard = ranges.find((r) => r.tag === '*');
    return wildcard ? { q: wildcard.q, order: wildcard.order } : undefined;
  };
  const candidates = languages
    .map((language, i) => ({ language, i, pref: qOf(language) }))
    .filter((c) => c.pref !== undefined && c.pref.q > 0)
    .sort((a, b) => b.pref!.q - a.pref!.q || a.pref!.order - b.pref!.order || a.i - b.i);
  return candidates[0]?.language ?? languages[0]!;
}

/** The other language: where a missing text falls back to. */
const otherThan = (language: Language): Language => (language === 'en' ? 'ja' : 'en');

/**
 * Picks one language of a bilingual text: the reader's, or the other one marked as a fallback;
 * null when it has neither.
 */
export function resolveText(text: BilingualText, language: Language): LocalizedText | null {
  const own = text[language];
  if (own !== null) return { text: own, lang: language, fallback: false };
  const other = otherThan(language);
  const theirs = text[other];
  return theirs !== null ? { text: theirs, lang: other, fallback: true } : null;
}

/**
 * Resolves the texts of one answer in the reader's language and remembers which languages it
 * served, for `Content-Language` (the reader's first, then the fallback if any text used it).
 */
export class Localizer {
  private readonly served = new Set<Language>();

  constructor(readonly language: Language) {}

  text(text: BilingualText): LocalizedText | null {
    const resolved = resolveText(text, this.language);
    if (resolved) this.served.add(resolved.lang);
    return resolved;
  }

  /** A text the database guarantees has a language (a title): never null. */
  required(text: BilingualText): LocalizedText {
    const resolved = this.text(text);
    if (!resolved) throw new Error('a required bilingual text has neither language');
    return resolved;
  }

  /** `Content-Language`: what the answer is in (the reader's language when it has no text at all). */
  contentLanguage(): string {
    if (this.served.size === 0) return this.language;
    return [this.language, otherThan(this.language)].filter((l) => this.served.has(l)).join(', ');
  }
}
