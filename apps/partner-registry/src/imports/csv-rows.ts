import { type Parser, parse } from 'csv-parse';
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

export type ReadResult<T> = {
  /** Valid rows in file order (all of them, also when others are bad). */
  rows: ReadRow<T>[];
  /** Data rows read (the header not counted). */
  total: number;
  invalidRows: number;
  /** The first IMPORT_ERRORS_LISTED problems, in file order. */
  errors: ImportRowError[];
  truncated: boolean;
};

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
 */
export function cellValue(text: string, kind: CellKind = 'text'): unknown {
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
  const errors: ImportRowError[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (!known.has(name))
      errors.push({
        line: 1,
        column: name,
        code: 'unknown-column',
        message: `is not a column of this import (columns: ${[...known.keys()].join(', ')})`,
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
 * against the create contract. Collects every bad row by line and column instead of stopping
 * at the first; `onRow` reports progress. Reads the source as a stream; keeps only the valid
 * rows' values.
 */
export async function readCsvRows<T>(
  source: ChunkSource,
  layout: ImportLayout<T>,
  onRow?: (rowsRead: number) => void,
): Promise<ReadResult<T>> {
  const result: ReadResult<T> = {
    rows: [],
    total: 0,
    invalidRows: 0,
    errors: [],
    truncated: false,
  };
  const report = (error: ImportRowError) => {
    if (result.errors.length < IMPORT_ERRORS_LISTED) result.errors.push(error);
    else result.truncated = true;
  };
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true });
  let header: string[] | undefined;
  let columns: (ImportColumn | undefined)[] = [];
  let lastLine = 0;
  let emptyLines = 0;
  const feed = (async () => {
    try {
      for await (const chunk of source) {
        if (parser.destroyed) return;
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
          headerErrors.forEach(report);
          result.invalidRows = 1;
          parser.destroy();
          break;
        }
        const byName = new Map(layout.columns.map((c) => [c.header, c]));
        columns = header.map((h) => byName.get(h));
        continue;
      }
      result.total++;
      onRow?.(result.total);
      const read = readRow(record, header, columns, layout.schema, line);
      if ('value' in read) result.rows.push({ line, value: read.value });
      else {
        result.invalidRows++;
        read.errors.forEach(report);
      }
    }
  } catch (error) {
    // A broken file (an unclosed quote): named by the line the parser stopped on. Rows the
    // parser had read ahead are not reported, but the file as a whole is refused.
    const e = error as { code?: string; lines?: number; message?: string };
    if (!e.code?.startsWith('CSV_')) throw error;
    result.invalidRows++;
    report({
      line: e.lines ?? lastLine + 1,
      column: null,
      code: 'malformed-csv',
      message: e.message ?? 'is not valid CSV',
    });
  }
  await feed;
  if (result.errors.some((e) => e.code === 'malformed-csv')) return result;
  if (!header) report({ line: 1, column: null, code: 'empty-file', message: 'has no header row' });
  else if (result.total === 0 && result.errors.length === 0)
    report({ line: 2, column: null, code: 'no-rows', message: 'the file has no data rows' });
  return result;
}

const waitDrain = (stream: Parser): Promise<void> =>
  new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    stream.once('drain', resolve);
    stream.once('close', resolve);
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
