// SQL text for the statements a report build writes out whole (COPY takes no parameters).

/** A standard SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new Error('cannot write a NUL into a query');
  return `'${text.replace(/'/g, "''")}'`;
}

/** A quoted SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
