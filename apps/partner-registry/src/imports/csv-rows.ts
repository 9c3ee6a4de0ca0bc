import { CsvError, type Parser, parse } from 'csv-parse';
import { fromSpreadsheetSafe } from '@sp/platform';
import { IMPORT_ERRORS_LISTED, type ImportRowError } from '@sp/types';
import type { z } from 'zod';

/** How a cell's text becomes the value the create contract checks. */
export type CellKind = 'text' | 'number' | 'boolean' | 'list';

/**
 * A CSV column: its header is the contract's field (a dotted path for a nested one, e.g.
 * `outputs.papers`). An empty cell is a field left out, so the contract's default applies.
 */
export type ImportColumn = { header: string; cell?: CellKind; required?: boolean };

/** What a kind of import reads: its columns and the create contract each row must keep. */
export type ImportLayout<T> = {
  columns: readonly ImportColumn[];
  schema: z.ZodType<T>;
};

/** The file's bytes: a stream, or chunks already in memory. */
export type ChunkSource = AsyncIterable<Buffer | string> | Iterable<Buffer | string>;

export type ReadRow<T> = { line: number; value: T };

/**
 * A slice of the file: up to a batch of data rows as they were read, the valid ones checked
 * against the contract, the others as problems by line and column.
 */
export type ReadBatch<T> = {
  /** The batch's valid rows, in file order. */
  rows: ReadRow<T>[];
  /**
   * Every problem of the batch's other rows, in file order, and of the file itself (a bad
   * header, broken CSV, no rows at all), which comes in a batch of its own at the end.
   */
  errors: ImportRowError[];
  /** Data rows in the batch (the header not counted). */
  size: number;
  /** Rows that are not valid (a bad header or a broken file counts as one). */
  invalidRows: number;
};

/** The most characters one CSV cell may hold: far more than a column needs. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * The most cells one row may have. The parser keeps a row's cells until it ends, and empty
 * ones cost no characters: a row of four million commas held 380 MB (found by helper-48).
 */
export const MAX_CELLS_PER_RECORD = 1000;

/**
 * Counts a CSV's cells per row as its bytes go by, minding quotes (a comma or line break inside
 * quotes is data), so a row too wide is refused before the parser holds it. A doubled quote
 * inside quotes flips the state twice and so leaves it as it was.
 */
export function cellCounter(max: number): (chunk: Uint8Array) => number | undefined {
  let inQuotes = false;
  let cells = 1;
  let line = 1;
  /** The line of the first row past the limit in this chunk, if one is. */
  return (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 0x22) inQuotes = !inQuotes;
      else if (byte === 0x0a) {
        line++;
        if (!inQuotes) cells = 1;
      } else if (byte === 0x2c && !inQuotes && ++cells > max) return line;
    }
    return undefined;
  };
}

/** Bytes handed to the parser at once (a whole buffered body would be parsed in one go). */
export const CHUNK_BYTES = 64 * 1024;

/** A file already in memory as the chunks a stream would give, without copying it. */
export function* chunksOf(buffer: Buffer, size = CHUNK_BYTES): Generator<Buffer> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

/** A list cell: items separated by `;` (a comma would fight the CSV), blanks dropped. */
export const LIST_SEPARATOR = ';';

const numberPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const booleans: Record<string, boolean> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  '1': true,
  '0': false,
};

/**
 * A cell as the contract sees it: left out when empty; a number, boolean or list where the
 * column says so, or the text itself when it is not one (the contract then names the column).
 * An exported file's guard against formulas (`'=…`) is taken off first.
 */
export function cellValue(cell: string, kind: CellKind = 'text'): unknown {
  // Our exports put an apostrophe before text a spreadsheet would run; it is not the data's.
  const text = fromSpreadsheetSafe(cell);
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  switch (kind) {
    case 'number':
      return numberPattern.test(trimmed) ? Number(trimmed) : trimmed;
    case 'boolean':
      return booleans[trimmed.toLowerCase()] ?? trimmed;
    case 'list':
      return trimmed
        .split(LIST_SEPARATOR)
        .map((s) => s.trim())
        .filter((s) => s !== '');
    default:
      return text;
  }
}

const setPath = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else node = node[key] = {};
  }
  node[keys.at(-1)!] = value;
};

/** The header a contract issue belongs to: the longest header its path starts with. */
const columnOf = (headers: readonly string[], path: readonly PropertyKey[]): string | null => {
  const parts = path.map(String);
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    if (headers.includes(candidate)) return candidate;
  }
  return null;
};

/** Checks the header row: every column known, none twice, every required one there. */
export function checkHeader(
  layout: { columns: readonly ImportColumn[] },
  header: readonly string[],
): ImportRowError[] {
  const known = new Map(layout.columns.map((c) => [c.header, c]));
  // A header far wider than the layout is one problem, not one per cell: a megabyte of commas
  // made a million errors, each with its own copy of the column list (575 MB, found by
  // helper-48).
  if (header.length > layout.columns.length * 2 + 10)
    return [
      {
        line: 1,
        column: null,
        code: 'too-many-columns',
        message: `has ${header.length} columns; this import has ${layout.columns.length}`,
      },
    ];
  const columnList = [...known.keys()].join(', ');
  const errors: ImportRowError[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (!known.has(name))
      errors.push({
        line: 1,
        column: name,
        code: 'unknown-column',
        message: `is not a column of this import (columns: ${columnList})`,
      });
    else if (seen.has(name))
      errors.push({ line: 1, column: name, code: 'duplicate-column', message: 'appears twice' });
    seen.add(name);
  }
  for (const column of layout.columns)
    if (column.required && !seen.has(column.header))
      errors.push({
        line: 1,
        column: column.header,
        code: 'missing-column',
        message: 'is a required column',
      });
  return errors;
}

/**
 * Reads a CSV (UTF-8, a BOM allowed) whose first row names the columns, and checks every row
 * against the create contract, collecting every bad row by line and column instead of stopping
 * at the first. Yields the rows in batches of `batchSize` as it reads: the parser is fed only
 * as fast as the batches are taken, so what is held at any time is one batch, whatever the
 * size of the file. `onRow` reports progress.
 */
export async function* readCsvBatches<T>(
  source: ChunkSource,
  layout: ImportLayout<T>,
  batchSize: number,
  onRow?: (rowsRead: number) => void,
): AsyncGenerator<ReadBatch<T>> {
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    info: true,
    // One cell may not grow past this.
    max_record_size: MAX_RECORD_BYTES,
  });
  const overflowIn = cellCounter(MAX_CELLS_PER_RECORD);
  let header: string[] | undefined;
  let columns: (ImportColumn | undefined)[] = [];
  let lastLine = 0;
  let emptyLines = 0;
  let total = 0;
  let batch: ReadBatch<T> = { rows: [], errors: [], size: 0, invalidRows: 0 };
  /** The file's own problem, reported after the rows read before it. */
  let fileProblem: { error: ImportRowError; invalid: boolean } | undefined;
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        if (parser.destroyed) return;
        const line = overflowIn(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        if (line !== undefined) {
          parser.destroy(
            Object.assign(new Error(`a row has more than ${MAX_CELLS_PER_RECORD} cells`), {
              code: 'CSV_TOO_MANY_CELLS',
              lines: line,
            }),
          );
          return;
        }
        if (!parser.write(chunk)) await waitDrain(parser);
      }
      if (!parser.destroyed) parser.end();
    } catch (error) {
      parser.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; empty_lines: number };
    }>) {
      // The row starts on the line after the previous one ended, past any blank lines.
      const line = lastLine + 1 + (info.empty_lines - emptyLines);
      lastLine = info.lines;
      emptyLines = info.empty_lines;
      if (!header) {
        header = record.map((h) => h.trim());
        const headerErrors = checkHeader(layout, header);
        if (headerErrors.length) {
          parser.destroy();
          await feed;
          yield { rows: [], errors: headerErrors, size: 0, invalidRows: 1 };
          return;
        }
        const byName = new Map(layout.columns.map((c) => [c.header, c]));
        columns = header.map((h) => byName.get(h));
        continue;
      }
      total++;
      onRow?.(total);
      batch.size++;
      const read = readRow(record, header, columns, layout.schema, line);
      if ('value' in read) batch.rows.push({ line, value: read.value });
      else {
        batch.invalidRows++;
        batch.errors.push(...read.errors);
      }
      if (batch.size >= batchSize) {
        yield batch;
        batch = { rows: [], errors: [], size: 0, invalidRows: 0 };
      }
    }
  } catch (error) {
    // A broken file (an unclosed quote): named by the line the parser stopped on. Rows the
    // parser had read ahead are not reported, but the file as a whole is refused.
    // csv-parse's own errors (some of whose codes, like INVALID_OPENING_QUOTE, have no CSV_
    // prefix: the fuzz suite's quote after a first character answered 500), and ours.
    const e = error as { code?: string; lines?: number; message?: string };
    if (!(error instanceof CsvError) && !e.code?.startsWith('CSV_')) throw error;
    fileProblem = {
      invalid: true,
      error: {
        line: e.lines ?? lastLine + 1,
        column: null,
        code: 'malformed-csv',
        message: e.message ?? 'is not valid CSV',
      },
    };
  } finally {
    // Stopped early (the reader gave up, or failed): stop reading the source too.
    if (!parser.destroyed) parser.destroy();
    await feed;
  }
  if (batch.size > 0) yield batch;
  if (!fileProblem && !header)
    fileProblem = {
      invalid: false,
      error: { line: 1, column: null, code: 'empty-file', message: 'has no header row' },
    };
  else if (!fileProblem && total === 0)
    fileProblem = {
      invalid: false,
      error: { line: 2, column: null, code: 'no-rows', message: 'the file has no data rows' },
    };
  if (fileProblem)
    yield {
      rows: [],
      errors: [fileProblem.error],
      size: 0,
      invalidRows: fileProblem.invalid ? 1 : 0,
    };
}

/** The problems an import lists, and whether it found more than that. */
export type ListedErrors = { errors: ImportRowError[]; truncated: boolean };

/**
 * Adds a batch's problems (each on a line after those added before) to the list: the first
 * IMPORT_ERRORS_LISTED in file order are kept, more only mark it truncated (they are counted in
 * `invalidRows`), so a file of bad rows costs no more memory than a good one.
 */
export function listErrors(list: ListedErrors, more: readonly ImportRowError[]): void {
  if (more.length === 0) return;
  const room = IMPORT_ERRORS_LISTED - list.errors.length;
  const ordered = [...more].sort((a, b) => a.line - b.line);
  list.errors.push(...ordered.slice(0, Math.max(0, room)));
  if (ordered.length > room) list.truncated = true;
}

/** Until the parser wants more text, or is gone; leaves no listener behind either way. */
const waitDrain = (stream: Parser): Promise<void> =>
  new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });

function readRow<T>(
  record: string[],
  header: string[],
  columns: (ImportColumn | undefined)[],
  schema: z.ZodType<T>,
  line: number,
): { value: T } | { errors: ImportRowError[] } {
  if (record.length !== header.length)
    return {
      errors: [
        {
          line,
          column: null,
          code: 'column-count',
          message: `has ${record.length} cells where the header has ${header.length}`,
        },
      ],
    };
  const input: Record<string, unknown> = {};
  const errors: ImportRowError[] = [];
  record.forEach((text, i) => {
    const column = columns[i]!;
    if (text.includes('\uFFFD'))
      errors.push({
        line,
        column: column.header,
        code: 'not-utf8',
        message: 'is not UTF-8 text (save the file as "CSV UTF-8")',
      });
    // Postgres cannot store it (a 500 at the insert otherwise).
    if (text.includes('\u0000'))
      errors.push({
        line,
        column: column.header,
        code: 'nul_character',
        message: 'must not contain the NUL character (U+0000)',
      });
    const value = cellValue(text, column.cell);
    if (value !== undefined) setPath(input, column.header, value);
  });
  if (errors.length) return { errors };
  const parsed = schema.safeParse(input);
  if (parsed.success) return { value: parsed.data };
  return {
    errors: parsed.error.issues.map((issue) => ({
      line,
      column: columnOf(header, issue.path),
      code: issue.code,
      message: issue.message,
    })),
  };
}
