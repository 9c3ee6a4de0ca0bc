import { AppError } from '@sp/platform';

/** References run to six digits a year: INQ-2026-000001 … INQ-2026-999999. */
export const MAX_REFERENCE_NUMBER = 999_999;

/** The human reference of the `n`-th inquiry of `year`: `INQ-2026-000123`. */
export function formatReference(year: number, n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_REFERENCE_NUMBER) {
    throw new AppError('service-unavailable', `no inquiry references left for ${year}`);
  }
  return `INQ-${year}-${String(n).padStart(6, '0')}`;
}

const REFERENCE = /\bINQ-(\d{4})-(\d{6})\b/i;

/** The reference a mail's subject quotes (e.g. "Re: your inquiry INQ-2026-000123"), if any. */
export function referenceInSubject(subject: string): string | null {
  const match = REFERENCE.exec(subject);
  return match ? `INQ-${match[1]}-${match[2]}` : null;
}
