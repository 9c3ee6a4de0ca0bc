import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { type CsvColumn, toCsvRecord } from './exports.mapper';

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
    const batch: (string | number)[][] = [];
    while (batch.length < CSV_RECORDS_PER_PIECE) {
      const next = await source.next();
      if (next.done) break;
      batch.push(toCsvRecord(columns, next.value));
    }
    if (batch.length === 0 && !first) return null;
    const text = stringify(batch, {
      bom: first,
      header: first,
      columns: headers,
      record_delimiter: 'windows',
      // csv-stringify quotes a field holding its CRLF delimiter, not one with a bare LF or CR,
      // which most readers take for a record end.
      quoted_match: /[\r\n]/,
    });
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
