import type { CompiledQuery } from 'kysely';

// SQL text for statements written out whole: `COPY (…) TO STDOUT` takes no parameters.

/** A standard SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('cannot write a NUL into a query');
  return `'${text.replace(/'/g, "''")}'`;
}

/** A quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The query's text with its `$n` parameters written in as literals, for COPY. A parameter is a
 * string, a number, a boolean, a date or null (what Kysely passes for filters); anything else is
 * refused rather than guessed at. The session must have standard_conforming_strings on.
 */
export function inlineParameters(query: CompiledQuery): string {
  return query.sql.replace(/\$(\d+)/g, (_match, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= query.parameters.length) {
      throw new Error(`the query names $${n}, which it has no parameter for`);
    }
    return literal(query.parameters[index]);
  });
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} into a query`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return quoteLiteral(value.toISOString());
  if (typeof value === 'string') return quoteLiteral(value);
  throw new Error(`cannot write a ${typeof value} into a query`);
}
