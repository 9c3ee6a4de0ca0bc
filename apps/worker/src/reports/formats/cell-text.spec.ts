import { cellText, groupThousands, isFigure } from './cell-text';

describe('cellText', () => {
  it('prints figures with thousands separators without turning decimals into floats', () => {
    expect(cellText('integer', 1234567)).toBe('1,234,567');
    expect(cellText('integer', '42')).toBe('42');
    expect(cellText('decimal', '12345678901234567.89')).toBe('12,345,678,901,234,567.89');
    expect(cellText('decimal', '-1000.5')).toBe('-1,000.5');
    expect(cellText('percent', 0.125)).toBe('12.5%');
    expect(cellText('percent', null)).toBe('');
    expect(cellText('date', '2025-04')).toBe('2025-04');
    expect(cellText('text', '東京大学')).toBe('東京大学');
    expect(groupThousands('n/a')).toBe('n/a');
  });

  it('right-aligns figures only', () => {
    expect(['integer', 'decimal', 'percent'].every((t) => isFigure(t as 'integer'))).toBe(true);
    expect(isFigure('text')).toBe(false);
    expect(isFigure('date')).toBe(false);
  });
});
