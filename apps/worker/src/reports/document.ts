import type { Readable, Writable } from 'node:stream';
import type { CompiledQuery } from 'kysely';

/**
 * What a report kind builds and a format writer writes: a title page's facts, then sections in
 * order. A kind never knows the format; a writer never knows the kind. Rows are streamed (an
 * async iterable over a database cursor), so a writer must consume them one at a time and
 * respect backpressure: memory stays flat whatever the number of rows.
 */

/** How a cell is typed in the file (XLSX number formats, PDF alignment, CSV text form). */
export type CellType =
  /** Free text (names, codes, labels). */
  | 'text'
  /** A whole number (counts). */
  | 'integer'
  /** An exact decimal, carried as a string such as "1234.50" (money: never a float). */
  | 'decimal'
  /** A calendar date `YYYY-MM-DD` (or a partial date `YYYY`/`YYYY-MM`), carried as a string. */
  | 'date'
  /** A fraction carried as a number (0.25 = 25 %); null when undefined (e.g. change on zero). */
  | 'percent';

export type Column = {
  /** The row property this column reads. */
  key: string;
  /** The header cell (English; a kind may add the Japanese in parentheses). */
  header: string;
  type: CellType;
  /** Width in characters (XLSX column width, PDF relative width); a writer may clamp it. */
  width?: number;
};

export type Cell = string | number | null;
export type Row = Readonly<Record<string, Cell>>;

export type TableSection = {
  kind: 'table';
  /** A short unique name (XLSX sheet name: at most 31 characters, none of []:*?/\). */
  name: string;
  /** The heading printed above the table. */
  title: string;
  columns: readonly Column[];
  rows: AsyncIterable<Row> | Iterable<Row>;
  /**
   * A row-per-record listing that can run to millions of rows (every activity of a year). CSV
   * and XLSX write it in full (XLSX continues on a new sheet past a sheet's row limit); PDF, a
   * briefing to read, prints a note naming the XLSX/CSV instead of the rows.
   */
  detail?: boolean;
  /**
   * The same rows, in the same order and with the same text, as one query whose output columns
   * are named by the columns' keys in snake_case (`titleEn` → `title_en`) and hold only text,
   * integers, decimals and ISO dates. A writer that can (CSV) has Postgres write them
   * (`COPY … TO STDOUT`, several times faster than rows through JavaScript); `rows` is then
   * never read. A test compares the two for every kind that sets it.
   */
  copy?: CompiledQuery;
};

export type ChartSection = {
  kind: 'chart';
  name: string;
  title: string;
  /** A bar chart of headline figures; CSV and XLSX write it as a two-column table. */
  bars: readonly { label: string; value: number }[];
};

export type ReportSection = TableSection | ChartSection;

export type ReportDocument = {
  /** The title page's title, e.g. "Strategic Partnerships — fiscal year 2025". */
  title: string;
  subtitle?: string;
  generatedAt: Date;
  /** Label/value pairs for the title page (period, parameters, headline totals). */
  facts: readonly { label: string; value: string }[];
  /** Built lazily, in order: a kind may run each section's query only when it is reached. */
  sections: AsyncIterable<ReportSection> | Iterable<ReportSection>;
};

/** Told of each row written, so a run's progress can rise while it builds. */
export type RowCounter = (rowsWritten: number) => void;

export type ReportFormat = 'csv' | 'xlsx' | 'pdf';

/** Has Postgres write a query's rows as CSV (RFC 4180 but for `\n` line ends), in the build's snapshot. */
export type CopySource = (query: CompiledQuery) => Readable;

/** What the build offers a writer besides the document. */
export type WriteTools = {
  /** Present when the build reads over a connection of its own (not in every test). */
  copy?: CopySource;
};

export type FormatWriter = {
  readonly format: ReportFormat;
  readonly contentType: string;
  /** File name extension without the dot. */
  readonly extension: string;
  /**
   * Writes the whole document to `out` (and ends it), calling `onRow` as rows are written (a
   * writer may call it every N rows with the running total). Rejects on the first error; the
   * caller throws the half-written output away.
   */
  write(doc: ReportDocument, out: Writable, onRow: RowCounter, tools?: WriteTools): Promise<void>;
};
