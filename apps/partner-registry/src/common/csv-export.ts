import { copyCsv } from '@sp/db';
import { scavengeEvery, spreadsheetSafeSql } from '@sp/platform';
import { type AliasedRawBuilder, type Kysely, sql } from 'kysely';
import type { Readable } from 'node:stream';

/**
 * How long one export may take, start to end. An export is one statement (a COPY) that lasts as
 * long as the download, so the pool's DATABASE_STATEMENT_TIMEOUT_MS (seconds, meant for
 * requests) would cut a large one off mid-file; this replaces it for the export's transaction.
 */
export const EXPORT_TIMEOUT_MS = 30 * 60_000;

/** Bytes of an export between two young-generation collections (`scavengeEvery`). */
export const EXPORT_SCAVENGE_BYTES = 4 * 2 ** 20;

/**
 * A column of a CSV export: its header, and the SQL of its cell over the tables of the module's
 * export query (each repository names its aliases). Postgres writes the cell as the expression's
 * text; null is an empty field. The helpers below write each kind of value as the JSON API does.
 */
export type CsvColumn = { readonly header: string; readonly sql: string };

/**
 * Text; an empty string as an empty field, as null is (COPY would quote it: `""`). Text a
 * spreadsheet would run as a formula gets an apostrophe first (`spreadsheetSafeSql`), which
 * the imports take off again.
 */
export const textCell = (column: string): string => `nullif(${spreadsheetSafeSql(column)}, '')`;

/** A text[] joined with `; ` (the separator imports split on), safe as `textCell` is. */
export const listCell = (column: string): string =>
  `nullif(${spreadsheetSafeSql(`array_to_string(${column}, '; ')`)}, '')`;

/** A timestamp as the API writes it: ISO 8601 in UTC to the millisecond (`…T09:00:00.000Z`). */
export const timeCell = (column: string): string =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** `true` or `false` (a boolean's own CSV text would be `t` or `f`). */
export const boolCell = (column: string): string => `${column}::text`;

/** A JSON array of objects as the `; `-joined texts `item` makes of each (SQL over `e`). */
export const jsonListCell = (array: string, item: string): string =>
  `(select nullif(${spreadsheetSafeSql(`string_agg(${item}, '; ' order by n)`)}, '') ` +
  `from jsonb_array_elements(${array}) with ordinality as items(e, n))`;

/** The select list of an export query: one expression per column, in order. */
export const csvSelection = (
  columns: readonly CsvColumn[],
): AliasedRawBuilder<string | null, string>[] =>
  columns.map((column, i) => sql.raw<string | null>(column.sql).as(`c${i}`));

/**
 * An export's file: UTF-8 with a BOM (so Excel reads Japanese), the header row, then one CRLF
 * record per row of `query`, written by Postgres (`copyCsv`) and streamed as the reader reads.
 * `query` selects `csvSelection(columns)`. Rejects when the database cannot start it (a 503).
 * The service collects the export's dead socket buffers as it goes (`scavengeEvery`): a
 * 100,000-row export then peaks at ≈ 165 MB, not ≈ 195 MB.
 */
export function csvExport<T>(
  db: Kysely<T>,
  query: { compile(): Parameters<typeof copyCsv>[1] },
  columns: readonly CsvColumn[],
): Promise<Readable> {
  return copyCsv(db, query.compile(), {
    prefix: `\uFEFF${columns.map((c) => c.header).join(',')}\r\n`,
    timeoutMs: EXPORT_TIMEOUT_MS,
    onChunk: scavengeEvery(EXPORT_SCAVENGE_BYTES),
  });
}
