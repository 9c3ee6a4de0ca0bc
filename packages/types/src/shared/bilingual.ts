import { z } from 'zod';
import { languageSchema } from './common';

/**
 * Bilingual text: every user-facing text of the symposium service is kept in English and
 * Japanese, either of which may be missing. Staff write and read it as stored (`{ en, ja }`);
 * readers get one language, chosen by `Accept-Language` or `?lang=`, with a mark when the text
 * fell back to the other one (`LocalizedText`).
 */
const text = (max: number) => z.string().trim().min(1).max(max);

/** A bilingual text as written: each language a non-blank text, `null` or left out (no text). */
export const bilingualInput = (max = 500) =>
  z
    .object({
      en: text(max).nullable().optional(),
      ja: text(max).nullable().optional(),
    })
    .strict();
export type BilingualInput = z.infer<ReturnType<typeof bilingualInput>>;

/** A bilingual text that must have at least one language (a title, a name). */
export const requiredBilingualInput = (max = 500) =>
  bilingualInput(max).refine((t) => Boolean(t.en ?? t.ja), {
    message: 'needs an English or a Japanese text (or both)',
  });

/** A bilingual text as stored and shown to staff: a missing language is `null`. */
export const bilingualTextSchema = z
  .object({ en: z.string().nullable(), ja: z.string().nullable() })
  .meta({ id: 'BilingualText' });
export type BilingualText = z.infer<typeof bilingualTextSchema>;

/**
 * A text in the language the reader asked for, or, when there is none in it, in the other:
 * then `fallback` is true and `lang` says which language the text is in (a page can mark it,
 * e.g. with `lang="ja"` and a note).
 */
export const localizedTextSchema = z
  .object({
    text: z.string(),
    lang: languageSchema,
    fallback: z.boolean(),
  })
  .meta({ id: 'LocalizedText' });
export type LocalizedText = z.infer<typeof localizedTextSchema>;

/** `?lang=` on reader routes: overrides `Accept-Language`. */
export const langQuerySchema = z.object({ lang: languageSchema.optional() });
