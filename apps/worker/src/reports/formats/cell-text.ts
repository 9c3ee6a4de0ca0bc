import type { Cell, CellType } from '../document';

/**
 * How a cell reads on a printed page (the PDF): counts and money with thousands separators
 * (a decimal keeps its own digits: it is never turned into a float), a fraction as a percent
 * with one place, everything else as written. Empty for null.
 */
export function cellText(type: CellType, value: Cell): string {
  if (value === null) return '';
  switch (type) {
    case 'integer':
    case 'decimal':
      return groupThousands(String(value));
    case 'percent':
      return typeof value === 'number' && Number.isFinite(value)
        ? `${(value * 100).toFixed(1)}%`
        : String(value);
    case 'date':
    case 'text':
      return String(value);
  }
}

/** Whether a column's cells are figures, printed right-aligned. */
export function isFigure(type: CellType): boolean {
  return type === 'integer' || type === 'decimal' || type === 'percent';
}

const PLAIN_NUMBER = /^(-?)(\d+)(\.\d+)?$/;

/** `1234567.50` → `1,234,567.50`; anything that is not a plain number is left as it is. */
export function groupThousands(value: string): string {
  const match = PLAIN_NUMBER.exec(value);
  if (!match) return value;
  const [, sign, whole = '', fraction = ''] = match;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction}`;
}
