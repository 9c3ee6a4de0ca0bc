import { todayInTokyo } from '@sp/platform';

/** The programme's calendar in Tokyo, for the scheduled reports. */
const ymOf = (now: Date): [number, number] => {
  const [y, m] = todayInTokyo(now).split('-').map(Number) as [number, number];
  return [y, m];
};

/**
 * The Japanese fiscal year (April–March, named by the year it starts in) that ended last
 * before `now` (Tokyo): on 1 April 2026, FY2025.
 */
export function fiscalYearJustEnded(now: Date): number {
  const [y, m] = ymOf(now);
  return m >= 4 ? y - 1 : y - 2;
}

/** The fiscal year a `YYYY-MM` month belongs to. */
export function fiscalYearOf(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m >= 4 ? y : y - 1;
}

/** The month before the one `now` is in (Tokyo), as `YYYY-MM`: on 1 December 2026, 2026-11. */
export function previousMonth(now: Date): string {
  const [y, m] = ymOf(now);
  const [py, pm] = m === 1 ? [y - 1, 12] : [y, m - 1];
  return `${py}-${String(pm).padStart(2, '0')}`;
}
