import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { type CsvColumn, toCsvRecord } from './exports.mapper';

/**
 * Records as a CSV byte stream: UTF-8 with a BOM (so Excel reads Japanese), a header row,
 * CRLF line ends. Pulls the next record only when the reader wants more (backpressure all the
 * way to the database cursor); a reader that goes away closes the source.
 */
export function csvStream<T>(columns: CsvColumn<T>[], records: AsyncIterable<T>): Readable {
  const rows = Readable.from(
    (async function* () {
      for await (const record of records) yield toCsvRecord(columns, record);
    })(),
  );
  const csv = stringify({
    bom: true,
    header: true,
    columns: columns.map((c) => c.header),
    record_delimiter: 'windows',
  });
  // Either side failing or closing early destroys the other (the reply then aborts, and the
  // generator's return releases the cursor); the error itself reaches the reply through `csv`.
  pipeline(rows, csv, () => undefined);
  return csv;
}
