import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Cell, FormatWriter, ReportDocument, Row, RowCounter } from '../document';

/** How often (in rows) the writer reports its running total. */
const COUNT_EVERY = 1_000;

/**
 * One RFC 4180 file (UTF-8 with a BOM so Excel reads Japanese, CRLF line ends) holding every
 * section: the first column names the section, each section starts with its own header row
 * (first cell `section`), then its rows. The title page's facts come first as section `about`;
 * a chart is written as its label/value table. A reader splits the file on the first column.
 */
export const csvWriter: FormatWriter = {
  format: 'csv',
  contentType: 'text/csv; charset=utf-8',
  extension: 'csv',
  async write(doc: ReportDocument, out: Writable, onRow: RowCounter): Promise<void> {
    const csv = stringify({ bom: true, record_delimiter: 'windows' });
    const done = pipeline(csv, out);
    // A failed destination fails the next write instead of leaving us waiting for 'drain'.
    done.catch(() => undefined);
    let written = 0;
    const put = async (record: Cell[]): Promise<void> => {
      if (!csv.write(record.map(cellText))) await Promise.race([once(csv, 'drain'), done]);
    };
    try {
      await put(['section', 'label', 'value']);
      await put(['about', 'title', doc.title]);
      if (doc.subtitle) await put(['about', 'subtitle', doc.subtitle]);
      await put(['about', 'generated at', doc.generatedAt.toISOString()]);
      for (const fact of doc.facts) await put(['about', fact.label, fact.value]);
      for await (const section of doc.sections) {
        if (section.kind === 'chart') {
          await put(['section', 'label', 'value']);
          for (const bar of section.bars) await put([section.name, bar.label, bar.value]);
          continue;
        }
        await put(['section', ...section.columns.map((c) => c.header)]);
        for await (const row of section.rows as AsyncIterable<Row>) {
          const cells: Cell[] = section.columns.map((c) => row[c.key] ?? null);
          await put([section.name, ...cells]);
          if (++written % COUNT_EVERY === 0) onRow(written);
        }
      }
      csv.end();
      await done;
      onRow(written);
    } catch (error) {
      csv.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  },
};

function cellText(value: Cell): string {
  if (value === null) return '';
  return typeof value === 'number' ? String(value) : value;
}
