import type { Cell, Column } from '../document';

/**
 * Pure rules for the XLSX writer: how a document cell becomes a typed spreadsheet cell, and
 * which sheet names are valid. Kept apart from the writer so each rule has a unit test.
 */

/** What a cell becomes: a value exceljs writes with its type, and a number format if any. */
export type XlsxCell = { value: string | number | Date | null; numFmt?: string };

export const INTEGER_FORMAT = '#,##0';
export const DATE_FORMAT = 'yyyy-mm-dd';
export const PERCENT_FORMAT = '0.0%';
/** Excel keeps 15 significant digits; a longer decimal stays text rather than lose digits. */
const MAX_EXACT_DIGITS = 15;
/** Excel's limit on a cell's text. */
export const MAX_CELL_TEXT = 32_767;

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const INTEGER = /^-?\d+$/;
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The number format of a decimal with `places` decimal places (at least two: money). */
export function decimalFormat(places: number): string {
  return `#,##0.${'0'.repeat(Math.max(2, places))}`;
}

/** The format every cell of a column starts with (a cell may override it). */
export function columnFormat(column: Column): string | undefined {
  switch (column.type) {
    case 'integer':
      return INTEGER_FORMAT;
    case 'decimal':
      return decimalFormat(2);
    case 'date':
      return DATE_FORMAT;
    case 'percent':
      return PERCENT_FORMAT;
    case 'text':
      return undefined;
  }
}

/**
 * Converts one cell. Numbers become numbers (a count may arrive as the string Postgres gives a
 * bigint); a decimal string is converted to the number it names (with a format showing its own
 * places, two at least) unless it has more significant digits than Excel keeps, when it stays
 * text; a full date becomes a real date (UTC midnight, so the serial is a whole day), a partial
 * date (`2025`, `2025-04`) stays text; a value that is not what its column says stays text
 * rather than being dropped.
 */
export function toXlsxCell(column: Column, value: Cell): XlsxCell {
  if (value === null || value === '') return { value: null };
  switch (column.type) {
    case 'text':
      return { value: text(value) };
    case 'integer':
      if (typeof value === 'number') return { value };
      if (INTEGER.test(value)) {
        const n = Number(value);
        if (Number.isSafeInteger(n)) return { value: n };
      }
      return { value: text(value) };
    case 'decimal': {
      if (typeof value === 'number') return { value };
      const match = DECIMAL.exec(value);
      if (!match) return { value: text(value) };
      const places = match[3]?.length ?? 0;
      const digits = `${match[2]}${match[3] ?? ''}`.replace(/^0+/, '');
      if (digits.length > MAX_EXACT_DIGITS) return { value };
      return places > 2
        ? { value: Number(value), numFmt: decimalFormat(places) }
        : { value: Number(value) };
    }
    case 'date': {
      if (typeof value === 'number') return { value: String(value) };
      const match = FULL_DATE.exec(value);
      // Excel has no dates before 1900: such a date stays text.
      if (!match || Number(match[1]) < 1900) return { value: text(value) };
      const month = Number(match[2]) - 1;
      const day = Number(match[3]);
      const date = new Date(Date.UTC(Number(match[1]), month, day));
      // 2025-02-30 rolls over to March: keep what was written rather than a different day.
      return date.getUTCMonth() === month && date.getUTCDate() === day
        ? { value: date }
        : { value };
    }
    case 'percent':
      return typeof value === 'number' ? { value } : { value: text(value) };
  }
}

function text(value: string | number): string {
  const s = typeof value === 'number' ? String(value) : value;
  return s.length > MAX_CELL_TEXT ? `${s.slice(0, MAX_CELL_TEXT - 1)}…` : s;
}

/** Excel's limit on a sheet name, and the characters it refuses in one. */
const MAX_SHEET_NAME = 31;
const FORBIDDEN = /[[\]:*?/\\]/g;

/**
 * Hands out valid, unique sheet names: forbidden characters become `_`, leading and trailing
 * apostrophes go, names are cut to 31 characters (keeping room for a suffix), Excel's reserved
 * `History` is avoided, and a name taken already (case-insensitively, as Excel compares) gets
 * ` (2)`, ` (3)`, ….
 */
export class SheetNames {
  private readonly used = new Set<string>();

  /** A name for `wanted`; `suffix` (e.g. ` (2)` for a continuation sheet) is kept whole. */
  take(wanted: string, suffix = ''): string {
    const base =
      wanted
        .replace(FORBIDDEN, '_')
        .replace(/\p{Cc}/gu, ' ')
        .trim()
        .replace(/^'+|'+$/g, '') || 'Sheet';
    for (let n = 1; ; n++) {
      const extra = n === 1 ? suffix : `${suffix} (${n})`;
      const name = `${base.slice(0, MAX_SHEET_NAME - extra.length).trimEnd()}${extra}`;
      const key = name.toLowerCase();
      if (key !== 'history' && !this.used.has(key)) {
        this.used.add(key);
        return name;
      }
    }
  }
}
