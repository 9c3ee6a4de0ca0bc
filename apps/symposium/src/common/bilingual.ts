import { AppError } from '@sp/platform';
import type { BilingualInput, BilingualText } from '@sp/types';

/** A bilingual text as written → as stored: a language left out is no text. */
export const toBilingual = (input: BilingualInput | undefined): BilingualText => ({
  en: input?.en ?? null,
  ja: input?.ja ?? null,
});

/**
 * A change to a stored bilingual text: each language given replaces the stored one (`null`
 * removes it), a language left out keeps what is stored.
 */
export const mergeBilingual = (current: BilingualText, patch: BilingualInput): BilingualText => ({
  en: patch.en === undefined ? current.en : patch.en,
  ja: patch.ja === undefined ? current.ja : patch.ja,
});

/** A required text (a title, a name) keeps one language at least: else a 400 naming the field. */
export function checkHasText(text: BilingualText, field: string): void {
  if (text.en !== null || text.ja !== null) return;
  throw new AppError('validation-error', `invalid body: ${field}`, {
    errors: [
      {
        in: 'body',
        field,
        message: 'needs an English or a Japanese text (or both); both cannot be removed',
        code: 'custom',
      },
    ],
  });
}
