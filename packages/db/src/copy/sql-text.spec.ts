import type { CompiledQuery } from 'kysely';
import { inlineParameters } from './sql-text';

const query = (sql: string, parameters: unknown[]) =>
  ({ sql, parameters }) as unknown as CompiledQuery;

describe('inlineParameters', () => {
  it('writes each parameter as a literal, $10 not mistaken for $1', () => {
    const params: unknown[] = [
      1,
      "O'Brien",
      null,
      true,
      new Date('2026-04-01T00:00:00Z'),
      6,
      7,
      8,
      9,
      'ten',
    ];
    expect(
      inlineParameters(query('select $1, $2, $3, $4, $5 where x = $10 and y = $1', params)),
    ).toBe(
      "select 1, 'O''Brien', null, true, '2026-04-01T00:00:00.000Z' where x = 'ten' and y = 1",
    );
  });

  it('refuses what it cannot write safely', () => {
    expect(() => inlineParameters(query('select $1', [{ a: 1 }]))).toThrow(/object/);
    expect(() => inlineParameters(query('select $1', ['a\0b']))).toThrow(/NUL/);
    expect(() => inlineParameters(query('select $1', [Number.NaN]))).toThrow(/NaN/);
    expect(() => inlineParameters(query('select $2', [1]))).toThrow(/\$2/);
  });
});
