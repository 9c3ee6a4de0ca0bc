import type { ReportViews } from '@sp/db';
import type { CellType, Column } from '../document';
import type { ReportReader } from '../kind';

/** The report builders' database: the published views, typed (`@sp/db` `ReportViews`). */
export type ViewsReader = ReportReader<ReportViews>;

/** Rows per cursor fetch of a detail listing. */
export const STREAM_CHUNK = 2_000;

/** A column of a table section. */
export const col = (key: string, header: string, type: CellType, width?: number): Column =>
  width === undefined ? { key, header, type } : { key, header, type, width };

/** A Japanese fiscal year's first and last Tokyo date (FY2025 = 2025-04-01 … 2026-03-31). */
export function fiscalYearDates(fiscalYear: number): { from: string; to: string } {
  return { from: `${fiscalYear}-04-01`, to: `${fiscalYear + 1}-03-31` };
}

/** The change from `previous` to `current` as a fraction (0.25 = +25 %); null when previous is 0. */
export function changeOf(current: number, previous: number): number | null {
  if (previous === 0) return null;
  return Math.round(((current - previous) / previous) * 10_000) / 10_000;
}

const TOKYO_OFFSET_MS = 9 * 3_600_000;

/** The instant a Tokyo month `YYYY-MM` starts (Tokyo keeps no daylight saving time). */
export function tokyoMonthStart(month: string): Date {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, m - 1, 1) - TOKYO_OFFSET_MS);
}

/** `YYYY-MM` of the month after `month`. */
export function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * Every month from `from` to `to`, inclusive, counted as numbers: compared as text,
 * `10000-01` sorts before `9999-12`, and a year-9999 request counted on for a million months.
 */
export function monthsOf(from: string, to: string): string[] {
  const index = (month: string) => {
    const [year, m] = month.split('-').map(Number) as [number, number];
    return year * 12 + m - 1;
  };
  const months: string[] = [];
  for (let i = index(from); i <= index(to); i++)
    months.push(`${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
  return months;
}

/** The Tokyo wall-clock `YYYY-MM-DD HH:mm` of an instant. */
export function tokyoMinute(at: Date): string {
  return new Date(at.getTime() + TOKYO_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** A bilingual name for a cell: "English (日本語)", or whichever is known. */
export function bilingual(en: string | null, ja: string | null): string {
  if (en && ja) return `${en} (${ja})`;
  return en ?? ja ?? '';
}
