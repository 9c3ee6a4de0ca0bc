import { reportParamsSchemas } from '@sp/types';
import { monthsOf } from './report-figures';

describe('monthsOf', () => {
  it('counts months across a year, and across the change to five-digit text (helper-48)', () => {
    expect(monthsOf('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsOf('2199-12', '2200-01')).toEqual(['2199-12', '2200-01']);
    expect(monthsOf('9999-12', '9999-12')).toEqual(['9999-12']);
  });
});

describe('inquiry-statistics params', () => {
  it('refuse a month outside 1990–2200 (a year-9999 request built a million months)', () => {
    const schema = reportParamsSchemas['inquiry-statistics'];
    expect(schema.safeParse({ from: '9999-12', to: '9999-12' }).success).toBe(false);
    expect(schema.safeParse({ from: '1989-12', to: '1990-01' }).success).toBe(false);
    expect(schema.safeParse({ from: '2026-01', to: '2026-12' }).success).toBe(true);
  });
});
