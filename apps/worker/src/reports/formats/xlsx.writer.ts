import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type {
  Column,
  FormatWriter,
  ReportDocument,
  Row,
  RowCounter,
  TableSection,
} from '../document';
import { SheetNames, columnFormat, toXlsxCell } from './xlsx-cells';

/** How often (in rows) the writer reports its running total. */
const COUNT_EVERY = 1_000;
/** Rows a sheet holds under its header row (Excel's limit is 1,048,576 rows in all). */
export const SHEET_DATA_ROWS = 1_048_575;
/**
 * How many bytes of sheet XML may wait for the zip's compressor before the writer stops reading
 * rows. exceljs buffers without limit past this point (see `pendingSheetBytes`).
 */
const MAX_PENDING_BYTES = 1 << 20;
/** The zip's own output buffer (archiver's default is 1 MB). */
const ZIP_BUFFER_BYTES = 64 * 1024;
const MIN_WIDTH = 6;
const MAX_WIDTH = 80;

/** archiver's options (exceljs's type lists only some of them); zlib level 1, the fastest. */
const zipOptions: { highWaterMark: number; zlib: { level: number } } = {
  zlib: { level: 1 },
  highWaterMark: ZIP_BUFFER_BYTES,
};

export type XlsxWriterOptions = {
  /** Data rows per sheet before a section continues on `<name> (2)`; tests make it small. */
  maxRowsPerSheet?: number;
};

type Style = Partial<ExcelJS.Style>;
const PLAIN: Style = {};
type SheetColumn = { column: Column; style: Style; overrides: Map<string, Style> };

/**
 * XLSX through exceljs's streaming `WorkbookWriter`: a sheet "About" with the title page's facts,
 * then a sheet per section (a chart as its label/value table) with a bold, frozen header row,
 * column widths and typed cells. Rows are committed as they are written, without shared strings
 * (about 200 MB per million unique strings), and the writer stops reading rows while the zip
 * lags behind, so memory stays flat however many rows a section has. A section with more rows
 * than a sheet holds continues on `<name> (2)`, `<name> (3)`, ….
 */
export function createXlsxWriter(options: XlsxWriterOptions = {}): FormatWriter {
  const maxRows = options.maxRowsPerSheet ?? SHEET_DATA_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > SHEET_DATA_ROWS) {
    throw new RangeError(`maxRowsPerSheet must be 1..${SHEET_DATA_ROWS}`);
  }
  return {
    format: 'xlsx',
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extension: 'xlsx',
    write: (doc, out, onRow) => new XlsxRun(out, maxRows).write(doc, onRow),
  };
}

export const xlsxWriter: FormatWriter = createXlsxWriter();

class XlsxRun {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly zip: EventEmitter;
  private readonly names = new SheetNames();
  /** Rejects with the first error of the destination or of the zip; never resolves. */
  private readonly failed: Promise<never>;
  /** The first error of the destination (or the zip / PDF stream), once there is one. */
  private failure: Error | undefined;
  private readonly bold: Style = { font: { bold: true } };
  private written = 0;
  private readonly styleIds: StyleIds;

  constructor(
    private readonly out: Writable,
    private readonly maxRows: number,
  ) {
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useSharedStrings: false,
      useStyles: true,
      // archiver holds up to 1 MB of compressed output (tens of MB of sheet XML) by default
      // before it stops taking input; a smaller buffer keeps memory and read-ahead small.
      zip: zipOptions,
    });
    this.zip = (this.workbook as unknown as { zip: EventEmitter }).zip;
    this.styleIds = new StyleIds(this.workbook);
    this.failed = new Promise<never>((_resolve, reject) => {
      // Listen at once: exceljs listens only when finishing, and an 'error' nobody hears crashes.
      const fail = (error: Error) => {
        this.failure ??= error;
        reject(error);
      };
      out.on('error', fail);
      this.zip.on('error', fail);
    });
    this.failed.catch(() => undefined);
  }

  async write(doc: ReportDocument, onRow: RowCounter): Promise<void> {
    try {
      this.workbook.creator = 'Strategic Partnerships';
      this.workbook.created = doc.generatedAt;
      await this.writeAbout(doc);
      for await (const section of doc.sections) {
        if (section.kind === 'table') {
          await this.writeTable(section, onRow, true);
          continue;
        }
        const whole = section.bars.every((bar) => Number.isInteger(bar.value));
        await this.writeTable(
          {
            kind: 'table',
            name: section.name,
            title: section.title,
            columns: [
              { key: 'label', header: 'Label', type: 'text', width: 40 },
              { key: 'value', header: 'Value', type: whole ? 'integer' : 'decimal', width: 16 },
            ],
            rows: section.bars,
          },
          onRow,
          false,
        );
      }
      await Promise.race([this.workbook.commit(), this.failed]);
      onRow(this.written);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      (this.zip as EventEmitter & { abort?: () => void }).abort?.();
      this.out.destroy(failure);
      throw failure;
    }
  }

  private async writeAbout(doc: ReportDocument): Promise<void> {
    const sheet = this.workbook.addWorksheet(this.names.take('About'));
    sheet.columns = [{ width: 28 }, { width: 72 }];
    const facts: [string, string][] = [['Title', doc.title]];
    if (doc.subtitle) facts.push(['Subtitle', doc.subtitle]);
    facts.push(['Generated at', doc.generatedAt.toISOString()]);
    for (const fact of doc.facts) facts.push([fact.label, fact.value]);
    for (const [label, value] of facts) {
      const row = sheet.addRow([label, value]);
      row.getCell(1).style = this.bold;
      row.commit();
    }
    sheet.commit();
    await this.room(sheet);
  }

  private async writeTable(section: TableSection, onRow: RowCounter, counted: boolean) {
    const columns: SheetColumn[] = section.columns.map((column) => {
      const numFmt = columnFormat(column);
      return { column, style: numFmt ? { numFmt } : {}, overrides: new Map() };
    });
    let part = 1;
    let sheet = this.openSheet(this.names.take(section.name), section.columns);
    let rows = new SheetRows(sheet, this.styleIds);
    let inSheet = 0;
    for await (const row of section.rows as AsyncIterable<Row>) {
      if (inSheet === this.maxRows) {
        rows.flush();
        sheet.commit();
        part += 1;
        sheet = this.openSheet(this.names.take(section.name, ` (${part})`), section.columns);
        rows = new SheetRows(sheet, this.styleIds);
        inSheet = 0;
      }
      rows.add(columns, row);
      inSheet += 1;
      if (counted && ++this.written % COUNT_EVERY === 0) onRow(this.written);
      if (rows.full()) {
        rows.flush();
        if (this.mustWait(sheet)) await this.room(sheet);
      }
    }
    rows.flush();
    sheet.commit();
  }

  private openSheet(name: string, columns: readonly Column[]): ExcelJS.Worksheet {
    const sheet = this.workbook.addWorksheet(name, {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    });
    sheet.columns = columns.map((c) => ({ width: widthOf(c) }));
    const header = sheet.addRow(columns.map((c) => c.header));
    header.eachCell((cell) => {
      cell.style = this.bold;
    });
    header.commit();
    return sheet;
  }

  /** Whether the writer must stop for the zip (or the destination failed): cheap, per row. */
  private mustWait(sheet: ExcelJS.Worksheet): boolean {
    if (this.failure) return true;
    return pendingSheetQueues(sheet).some((q) => q._writableState.length > MAX_PENDING_BYTES);
  }

  /** Waits while more sheet XML is queued before the zip than MAX_PENDING_BYTES. */
  private async room(sheet: ExcelJS.Worksheet): Promise<void> {
    // A failed destination takes nothing more: stop at once rather than fill the buffers.
    if (this.failure) throw this.failure;
    for (const queue of pendingSheetQueues(sheet)) {
      while (queue._writableState.length > MAX_PENDING_BYTES) {
        await Promise.race([once(queue, 'drain'), this.failed]);
      }
    }
  }
}

/** Rows written per write into the sheet's stream. */
const ROWS_PER_WRITE = 64;
const COLUMN_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `A`, `B`, …, `Z`, `AA`, …: a column's letters from its 0-based index. */
export function columnLetters(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = COLUMN_LETTERS[r]! + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** exceljs's id of each style object (the workbook's `xf` index), asked once per object. */
class StyleIds {
  private readonly ids = new Map<Style, number>();
  private readonly styles: {
    addStyleModel(style: Style, cellType: ExcelJS.ValueType): number;
  };

  constructor(workbook: ExcelJS.stream.xlsx.WorkbookWriter) {
    this.styles = (workbook as unknown as { styles: StyleIds['styles'] }).styles;
  }

  of(style: Style, cellType: ExcelJS.ValueType): number {
    let id = this.ids.get(style);
    if (id === undefined) {
      id = this.styles.addStyleModel(style, cellType);
      this.ids.set(style, id);
    }
    return id;
  }
}

/**
 * A data sheet's rows written as SpreadsheetML straight into the sheet's stream: the XML exceljs
 * writes for such a row (`<row r>` of `<c r s t>` cells, text as `t="str"`, a date as its serial
 * number with a date format, an empty cell only when styled), without the Row, Cell, address and
 * style objects exceljs makes per cell — which cost about two thirds of an XLSX build's time.
 * exceljs still writes everything else (the header row, columns, frozen pane, styles, the zip):
 * the first data row comes after the header exceljs has written, and the sheet's row count is
 * kept in step so that exceljs closes the sheet as its own.
 */
class SheetRows {
  private xml = '';
  private pending = 0;
  private next: number;
  private readonly letters: string[] = [];

  constructor(
    private readonly sheet: ExcelJS.Worksheet,
    private readonly styleIds: StyleIds,
  ) {
    this.next = (sheet as unknown as { _rowZero: number })._rowZero;
  }

  add(columns: SheetColumn[], row: Row): void {
    const r = this.next++;
    let xml = `<row r="${r}">`;
    for (let i = 0; i < columns.length; i++) {
      const target = columns[i]!;
      const letter = (this.letters[i] ??= columnLetters(i));
      const { value, numFmt } = toXlsxCell(target.column, row[target.column.key] ?? null);
      // As exceljs would: a shared style object per format, text without a number format.
      const style = numFmt
        ? styleFor(target, numFmt)
        : typeof value === 'string'
          ? PLAIN
          : target.style;
      if (value === null) {
        const id = this.styleIds.of(style, ExcelJS.ValueType.Null);
        if (id) xml += `<c r="${letter}${r}" s="${id}"/>`;
        continue;
      }
      const type =
        typeof value === 'string'
          ? ExcelJS.ValueType.String
          : typeof value === 'number'
            ? ExcelJS.ValueType.Number
            : ExcelJS.ValueType.Date;
      const id = this.styleIds.of(style, type);
      const s = id ? ` s="${id}"` : '';
      if (typeof value === 'string')
        xml += `<c r="${letter}${r}"${s} t="str"><v>${xlsxText(value)}</v></c>`;
      else if (typeof value === 'number') xml += `<c r="${letter}${r}"${s}><v>${value}</v></c>`;
      else xml += `<c r="${letter}${r}"${s}><v>${excelSerial(value)}</v></c>`;
    }
    this.xml += `${xml}</row>`;
    this.pending += 1;
  }

  full(): boolean {
    return this.pending >= ROWS_PER_WRITE;
  }

  flush(): void {
    if (this.pending === 0) return;
    const stream = (this.sheet as unknown as { stream: { write(xml: string): unknown } }).stream;
    void stream.write(this.xml);
    (this.sheet as unknown as { _rowZero: number })._rowZero = this.next;
    this.xml = '';
    this.pending = 0;
  }
}

/** Excel's serial day number of a UTC instant (the 1900 date system, as exceljs writes it). */
function excelSerial(date: Date): number {
  return 25569 + date.getTime() / 86_400_000;
}

// The characters XML 1.0 forbids (all C0 controls but tab, LF, CR; U+FFFE, U+FFFF; a surrogate
// without its pair) are what this looks for.
// eslint-disable-next-line no-control-regex
const XML_SPECIAL = /[<>&'"\x7F\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF\uD800-\uDFFF]/;

/** Text for XML: markup characters escaped, and the control characters XML forbids dropped. */
export function xlsxText(text: string): string {
  if (!XML_SPECIAL.test(text)) return text;
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char === '&') out += '&amp;';
    else if (char === '<') out += '&lt;';
    else if (char === '>') out += '&gt;';
    else if (char === '"') out += '&quot;';
    else if (char === "'") out += '&apos;';
    else if (code === 0x7f || (code <= 0x1f && code !== 0x09 && code !== 0x0a && code !== 0x0d))
      continue;
    // A lone surrogate is one UTF-16 unit; a pair (an emoji) is two, and stays.
    else if (
      code === 0xfffe ||
      code === 0xffff ||
      (char.length === 1 && code >= 0xd800 && code <= 0xdfff)
    )
      continue;
    else out += char;
  }
  return out;
}

function styleFor(target: SheetColumn, numFmt: string): Style {
  let style = target.overrides.get(numFmt);
  if (!style) {
    style = { numFmt };
    target.overrides.set(numFmt, style);
  }
  return style;
}

function widthOf(column: Column): number {
  const wanted = column.width ?? Math.max(column.header.length + 2, 10);
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, wanted));
}

type QueuedWritable = EventEmitter & { _writableState: { length: number } };

/**
 * The streams a sheet's XML waits in before the zip compresses it. In exceljs 4.4 a sheet
 * writes into a `StreamBuf` whose `write()` always returns true and which writes on into the
 * stream archiver made of it (`archiver-utils` `normalizeInputSource` pipes it into a
 * PassThrough) without waiting for 'drain' — so when the compressor or the destination is
 * slower than the rows arrive, that PassThrough's buffer grows without limit (the ~0.6 GB per
 * million rows of exceljs issue 729's streaming case). From the PassThrough on, every step is a
 * `pipe()` and respects backpressure, so watching that one buffer bounds the whole chain. If a
 * later exceljs changes this shape the list is empty, and the backpressure test fails.
 */
function pendingSheetQueues(sheet: ExcelJS.Worksheet): QueuedWritable[] {
  const stream = (sheet as unknown as { stream?: { pipes?: unknown } }).stream;
  const pipes = stream?.pipes;
  if (!Array.isArray(pipes)) return [];
  return pipes.filter(
    (pipe): pipe is QueuedWritable =>
      typeof pipe === 'object' &&
      pipe !== null &&
      typeof (pipe as { _writableState?: { length?: unknown } })._writableState?.length ===
        'number',
  );
}
