/**
 * The Japanese fiscal year (April–March) a `YYYY-MM-DD` date falls in, named by the calendar
 * year it starts in: 2026-03-31 is in fiscal 2025, 2026-04-01 in fiscal 2026.
 */
export function fiscalYearOf(date: string): number {
  const match = /^(\d{4})-(\d{2})-\d{2}$/.exec(date);
  if (!match?.[1] || !match[2]) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const year = Number(match[1]);
  return Number(match[2]) >= 4 ? year : year - 1;
}

/** A fiscal year's first and last day. */
export const fiscalYearRange = (fiscalYear: number): { from: string; to: string } => ({
  from: `${String(fiscalYear).padStart(4, '0')}-04-01`,
  to: `${String(fiscalYear + 1).padStart(4, '0')}-03-31`,
});
