import type { Column } from '../document';
import { SheetNames, columnFormat, decimalFormat, toXlsxCell } from './xlsx-cells';

const column = (type: Column['type']): Column => ({ key: 'k', header: 'K', type });

describe('toXlsxCell', () => {
  it('makes counts numbers, also from the string Postgres gives a bigint', () => {
    expect(toXlsxCell(column('integer'), 42)).toEqual({ value: 42 });
    expect(toXlsxCell(column('integer'), '42')).toEqual({ value: 42 });
    expect(toXlsxCell(column('integer'), '9007199254740993')).toEqual({
      value: '9007199254740993',
    });
    expect(toXlsxCell(column('integer'), 'n/a')).toEqual({ value: 'n/a' });
  });

  it('converts decimals exactly, with at least two places shown, or keeps them as text', () => {
    expect(toXlsxCell(column('decimal'), '1234.50')).toEqual({ value: 1234.5 });
    expect(toXlsxCell(column('decimal'), '-0.125')).toEqual({
      value: -0.125,
      numFmt: '#,##0.000',
    });
    expect(toXlsxCell(column('decimal'), '12')).toEqual({ value: 12 });
    // More digits than a double holds: text, so no digit is lost.
    expect(toXlsxCell(column('decimal'), '12345678901234567.89')).toEqual({
      value: '12345678901234567.89',
    });
    expect(decimalFormat(1)).toBe('#,##0.00');
    expect(decimalFormat(4)).toBe('#,##0.0000');
  });

  it('makes full dates real dates at UTC midnight and keeps partial or impossible ones as text', () => {
    expect(toXlsxCell(column('date'), '2025-04-01')).toEqual({
      value: new Date('2025-04-01T00:00:00Z'),
    });
    expect(toXlsxCell(column('date'), '2025-04')).toEqual({ value: '2025-04' });
    expect(toXlsxCell(column('date'), '2025')).toEqual({ value: '2025' });
    expect(toXlsxCell(column('date'), '2025-02-30')).toEqual({ value: '2025-02-30' });
    expect(toXlsxCell(column('date'), '1850-01-01')).toEqual({ value: '1850-01-01' });
  });

  it('keeps percents as fractions, empties as empty, and caps text at Excel’s limit', () => {
    expect(toXlsxCell(column('percent'), 0.25)).toEqual({ value: 0.25 });
    expect(toXlsxCell(column('percent'), null)).toEqual({ value: null });
    expect(toXlsxCell(column('text'), '')).toEqual({ value: null });
    expect(toXlsxCell(column('text'), 7)).toEqual({ value: '7' });
    const long = toXlsxCell(column('text'), 'x'.repeat(40_000)).value as string;
    expect(long).toHaveLength(32_767);
    expect(long.endsWith('…')).toBe(true);
  });

  it('gives each column type its format', () => {
    expect(columnFormat(column('integer'))).toBe('#,##0');
    expect(columnFormat(column('decimal'))).toBe('#,##0.00');
    expect(columnFormat(column('date'))).toBe('yyyy-mm-dd');
    expect(columnFormat(column('percent'))).toBe('0.0%');
    expect(columnFormat(column('text'))).toBeUndefined();
  });
});

describe('SheetNames', () => {
  it('makes names valid, short enough and unique, case-insensitively', () => {
    const names = new SheetNames();
    expect(names.take('About')).toBe('About');
    expect(names.take('about')).toBe('about (2)');
    expect(names.take("'q1/q2: [draft]?'")).toBe('q1_q2_ _draft__');
    expect(names.take('History')).toBe('History (2)');
    expect(names.take('')).toBe('Sheet');
    const long = 'activities of every partner in the year';
    expect(names.take(long)).toBe('activities of every partner in');
    expect(names.take(long, ' (2)')).toBe('activities of every partner (2)');
    expect(names.take(long, ' (2)')).toBe('activities of every par (2) (2)');
    for (const name of ['activities of every partner in', 'activities of every par (2) (2)']) {
      expect(name.length).toBeLessThanOrEqual(31);
    }
  });
});
