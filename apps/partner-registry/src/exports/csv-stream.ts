import { Readable } from 'node:stream';
import type { CsvColumn } from './exports.mapper';

/**
 * Records per piece of the file: one string, one Buffer and one write to the socket for each
 * (a record each cost a Transform step, a Buffer and a chunked-encoding write of ≈ 400 bytes).
 * The export's cursor fetches as many rows at a time (EXPORT_CHUNK).
 */
export const CSV_RECORDS_PER_PIECE = 100;

/**
 * Records as a CSV byte stream: UTF-8 with a BOM (so Excel reads Japanese), a header row,
 * CRLF line ends. The next records are pulled only when the reader wants more — Node asks
 * (`read`) only while less than the high-water mark (64 KB) is queued, and Fastify pipes the
 * stream into the response, which stops taking it until the socket drains — so a slow or paused
 * download stops the database cursor instead of filling memory. A reader that goes away, or a source that
 * fails, ends the source (its `return`: the export's transaction ends, its connection goes back).
 */
export function csvStream<T>(columns: CsvColumn<T>[], records: AsyncIterable<T>): Readable {
  const source = records[Symbol.asyncIterator]();
  const headers = columns.map((c) => c.header);
  let first = true;

  /** The next piece: up to CSV_RECORDS_PER_PIECE records (the header first), or the end. */
  const nextPiece = async (): Promise<string | null> => {
    let text = first ? `\uFEFF${csvRecord(headers)}` : '';
    let records = 0;
    while (records < CSV_RECORDS_PER_PIECE) {
      const next = await source.next();
      if (next.done) break;
      let separator = '';
      for (const column of columns) {
        text += separator + csvField(column.cell(next.value));
        separator = ',';
      }
      text += '\r\n';
      records++;
    }
    if (records === 0 && !first) return null;
    first = false;
    return text;
  };

  return new Readable({
    // About one piece queued ahead of the reader (the socket's own buffer comes after it).
    highWaterMark: 64 * 1024,
    read() {
      // (A finished source answers `done` again at once: the read after a short last piece ends.)
      nextPiece().then(
        (piece) => this.push(piece),
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
    destroy(error, callback) {
      // Ends the source: the generator's `finally` closes the cursor and its transaction. An
      // async generator runs `return` after a `next` still in flight, never during it.
      const ended = source.return ? source.return() : Promise.resolve();
      ended.then(
        () => callback(error),
        (returnError: unknown) => callback(error ?? (returnError as Error)),
      );
    },
  });
}

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTES = /"/g;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break (a bare LF or
 * CR too, which most readers take for a record end), quotes doubled; null as an empty field.
 *
 * Written here rather than with csv-stringify, which the export used: its general machinery
 * (casting, per-field option objects, formula escaping) allocated ≈ 17 KB per 27-column record,
 * 54 % of everything the export allocated, and that garbage is what grew V8's young generation
 * during a large export (+110 MB). The spec checks this against csv-stringify, field by field.
 */
export const csvField = (value: string | number | null): string => {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(QUOTES, '""')}"` : text;
};

/** One record, CRLF-terminated. */
export const csvRecord = (cells: readonly (string | number | null)[]): string =>
  `${cells.map(csvField).join(',')}\r\n`;
