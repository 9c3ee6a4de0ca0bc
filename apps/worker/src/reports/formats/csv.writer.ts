import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify, type Options } from 'csv-stringify/sync';
import { CrlfRecords, quoteIdentifier, quoteLiteral } from '@sp/db';
import { spreadsheetSafe, spreadsheetSafeSql } from '@sp/platform/core';
import { CamelCasePlugin } from 'kysely';
import type {
  Cell,
  CopySource,
  FormatWriter,
  ReportDocument,
  Row,
  RowCounter,
  TableSection,
  WriteTools,
} from '../document';

/** How often (in rows) the writer reports its running total. */
const COUNT_EVERY = 1_000;
/** Records stringified at a time: one string per batch rather than a stream write per row. */
const BATCH = 500;
const OPTIONS: Options = {
  record_delimiter: 'windows',
  // csv-stringify quotes a field holding its record delimiter (CRLF) but not a bare LF or CR,
  // which every reader takes for a record end: a title with a line break split its row in two.
  quoted_match: /[\r\n]/,
};
const BOM = '\ufeff';
/** `titleEn` → `title_en`: the query's output column names, as `createDb`'s plugin maps them. */
class ColumnNames extends CamelCasePlugin {
  of(key: string): string {
    return this.snakeCase(key);
  }
}
const columnNames = new ColumnNames();

/**
 * One RFC 4180 file (UTF-8 with a BOM so Excel reads Japanese, CRLF line ends) holding every
 * section: the first column names the section, each section starts with its own header row
 * (first cell `section`), then its rows. The title page's facts come first as section `about`;
 * a chart is written as its label/value table. A reader splits the file on the first column.
 *
 * A section that offers its rows as a query (`copy`) is written by Postgres when the build
 * gives the writer a `copy` source (`COPY … TO STDOUT (FORMAT csv)`, its line ends made CRLF):
 * a million rows then cost the builder a few MB of buffers instead of a million row objects.
 * Other rows are stringified with csv-stringify in batches. Either way, text a spreadsheet
 * would run as a formula (a partner's title `=HYPERLINK(…)`) gets an apostrophe first. Output
 * is pulled by the destination (a Readable over a generator), so a slow disk slows the
 * reading, not the memory.
 */
export const csvWriter: FormatWriter = {
  format: 'csv',
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  async write(doc, out, onRow, tools) {
    const counter = new Counter(onRow);
    try {
      await pipeline(Readable.from(chunks(doc, counter, tools)), out);
    } catch (error) {
      out.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    counter.finish();
  },
};

class Counter {
  written = 0;
  private told = 0;

  constructor(private readonly onRow: RowCounter) {}

  add(n: number): void {
    this.written += n;
    if (this.written - this.told >= COUNT_EVERY) {
      this.told = this.written - (this.written % COUNT_EVERY);
      this.onRow(this.written);
    }
  }

  finish(): void {
    this.onRow(this.written);
  }
}

async function* chunks(
  doc: ReportDocument,
  counter: Counter,
  tools: WriteTools | undefined,
): AsyncGenerator<string | Buffer> {
  const about: Cell[][] = [
    ['section', 'label', 'value'],
    ['about', 'title', spreadsheetSafe(doc.title)],
  ];
  if (doc.subtitle) about.push(['about', 'subtitle', spreadsheetSafe(doc.subtitle)]);
  about.push(['about', 'generated at', doc.generatedAt.toISOString()]);
  for (const fact of doc.facts) about.push(['about', fact.label, spreadsheetSafe(fact.value)]);
  yield BOM + records(about);
  for await (const section of doc.sections) {
    if (section.kind === 'chart') {
      yield records([
        ['section', 'label', 'value'],
        ...section.bars.map((bar) => [section.name, spreadsheetSafe(bar.label), bar.value]),
      ]);
      continue;
    }
    yield records([['section', ...section.columns.map((c) => c.header)]]);
    const copy = tools?.copy;
    if (copy && copyable(section)) yield* copied(section, copy, counter);
    else yield* stringified(section, counter);
  }
}

async function* stringified(section: TableSection, counter: Counter): AsyncGenerator<string> {
  let batch: Cell[][] = [];
  for await (const row of section.rows as AsyncIterable<Row>) {
    const record: Cell[] = [section.name];
    for (const column of section.columns) {
      const value = row[column.key] ?? null;
      record.push(
        column.type === 'text' && typeof value === 'string' ? spreadsheetSafe(value) : value,
      );
    }
    batch.push(record);
    if (batch.length === BATCH) {
      yield records(batch);
      counter.add(batch.length);
      batch = [];
    }
  }
  if (batch.length > 0) {
    yield records(batch);
    counter.add(batch.length);
  }
}

/** The section's rows as Postgres writes them, the section's name in the first column. */
async function* copied(
  section: TableSection & { copy: NonNullable<TableSection['copy']> },
  copy: CopySource,
  counter: Counter,
): AsyncGenerator<Buffer> {
  const columns = section.columns
    .map((c) => {
      const column = `q.${quoteIdentifier(columnNames.of(c.key))}`;
      return c.type === 'text' ? spreadsheetSafeSql(`${column}::text`) : column;
    })
    .join(', ');
  const query = {
    ...section.copy,
    sql: `copy (select ${quoteLiteral(section.name)}, ${columns} from (${section.copy.sql}) as q) to stdout (format csv)`,
  };
  const crlf = new CrlfRecords();
  for await (const chunk of copy(query) as AsyncIterable<Buffer>) {
    const converted = crlf.convert(chunk);
    counter.add(crlf.takeRecords());
    yield converted;
  }
}

/** Whether every column is one whose text Postgres writes as the rows would read (not percent). */
function copyable(
  section: TableSection,
): section is TableSection & { copy: NonNullable<TableSection['copy']> } {
  return section.copy !== undefined && section.columns.every((c) => c.type !== 'percent');
}

function records(rows: Cell[][]): string {
  return stringify(
    rows.map((r) => r.map(cellText)),
    OPTIONS,
  );
}

function cellText(value: Cell): string {
  if (value === null) return '';
  return typeof value === 'number' ? String(value) : value;
}
