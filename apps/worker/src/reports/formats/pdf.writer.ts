import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import type {
  ChartSection,
  Column,
  FormatWriter,
  ReportDocument,
  Row,
  RowCounter,
  TableSection,
} from '../document';
import { cellText, groupThousands, isFigure } from './cell-text';
import { faceChooser } from './report-fonts';

/** How often (in rows) the writer reports its running total. */
const COUNT_EVERY = 1_000;
/** Bytes of finished PDF that may wait for the destination before the writer stops reading. */
const MAX_PENDING_BYTES = 256 * 1024;

/** Our own labels' faces (English and Japanese); data takes the face its text needs. */
const REGULAR = 'NotoSansJP';
const BOLD = 'NotoSansJP-Bold';
const MARGIN = { top: 48, left: 48, right: 48, bottom: 56 };
const CELL_SIZE = 8;
const CELL_PAD = 3;
/** A cell shows at most this many lines, then an ellipsis, so a row always fits on a page. */
const CELL_LINES = 3;
const BAR_HEIGHT = 16;
const BAR_COLOUR = '#3b6ea5';
const RULE_COLOUR = '#c8c8c8';
const HEADER_FILL = '#e8edf3';
const TEXT_COLOUR = '#1a1a1a';
/** Space a section's heading needs below it (heading, header row, a row or bar) to start. */
const SECTION_START_ROOM = 90;
/** Points per declared character of a column's `width` (an average Latin glyph at CELL_SIZE). */
const CHAR_WIDTH = 4.4;
/**
 * The least width of a table's first column (the row's label, e.g. a partner's name): a
 * 10-character Japanese name on one line, a 40-character English one on two.
 */
const LABEL_MIN_WIDTH = 130;
/** The most a table's first column takes, so other columns still fit beside it. */
const LABEL_MAX_WIDTH = 180;
/** The most any other text column takes before its text wraps. */
const TEXT_MAX_WIDTH = 140;
/** The least width of a figure column, by type: "12,345,678.00", "-100.0%", "2026-03-31". */
const FIGURE_MIN_WIDTH = { integer: 40, decimal: 58, percent: 38, date: 48 } as const;

/**
 * A PDF to read (a briefing), drawn with pdfkit and the Noto Sans JP font that comes with the
 * project's dependencies: a title page (title, subtitle, when it was generated, the facts),
 * then each section under its title — tables that break across pages and repeat their header
 * row on each one, figures right-aligned, long text wrapped to three lines and cut with an
 * ellipsis; a table whose columns do not fit the page at a readable width as column groups one
 * after the other ("Per partner (2 of 3)"), each repeating the first column (the row's label,
 * wide enough that a partner's name prints whole); charts as horizontal bar charts with labels and values; a `detail` listing as a note
 * with its row count (counted, not kept) pointing to the XLSX or CSV. Page numbers at the foot.
 * Pages stream out as they are finished, and the writer waits while the destination lags.
 */
export const pdfWriter: FormatWriter = {
  format: 'pdf',
  contentType: 'application/pdf',
  extension: 'pdf',
  write: (doc, out, onRow) => new PdfRun(out, doc).write(doc, onRow),
};

class PdfRun {
  private readonly pdf: PDFKit.PDFDocument;
  /** Rejects with the destination's first error; never resolves. */
  private readonly failed: Promise<never>;
  /** The first error of the destination (or the zip / PDF stream), once there is one. */
  private failure: Error | undefined;
  private page = 0;
  private counted = 0;

  constructor(
    private readonly out: Writable,
    doc: ReportDocument,
  ) {
    this.pdf = new PDFDocument({
      size: 'A4',
      margins: MARGIN,
      autoFirstPage: false,
      bufferPages: false,
      info: { Title: doc.title, Creator: 'Strategic Partnerships', CreationDate: doc.generatedAt },
    });
    for (const face of faceChooser().faces) {
      this.pdf.registerFont(face.name, face.regular);
      this.pdf.registerFont(`${face.name}-Bold`, face.bold);
    }
    this.pdf.on('pageAdded', () => this.footer());
    this.failed = new Promise<never>((_resolve, reject) => {
      const fail = (error: Error) => {
        this.failure ??= error;
        reject(error);
      };
      out.on('error', fail);
      this.pdf.on('error', fail);
    });
    this.failed.catch(() => undefined);
    this.pdf.pipe(out);
  }

  async write(doc: ReportDocument, onRow: RowCounter): Promise<void> {
    try {
      const done = finished(this.out);
      done.catch(() => undefined);
      this.titlePage(doc);
      let first = true;
      for await (const section of doc.sections) {
        if (section.kind === 'table' && !section.detail) {
          await this.table(section, onRow, first);
        } else {
          this.startSection(section.title, first);
          if (section.kind === 'chart') await this.chart(section);
          else await this.detailNote(section, onRow);
        }
        first = false;
      }
      this.pdf.end();
      await Promise.race([done, this.failed]);
      onRow(this.counted);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.pdf.unpipe(this.out);
      this.out.destroy(failure);
      throw failure;
    }
  }

  /** Sets the face `text` needs (a name in Korean or Polish needs another than Japanese). */
  private faceFor(text: string, bold = false): PDFKit.PDFDocument {
    const { name } = faceChooser().faceOf(text);
    return this.pdf.font(bold ? `${name}-Bold` : name);
  }

  private get width(): number {
    return this.pdf.page.width - MARGIN.left - MARGIN.right;
  }

  private titlePage(doc: ReportDocument): void {
    const pdf = this.pdf;
    pdf.addPage();
    pdf.y = MARGIN.top + 120;
    this.faceFor(doc.title, true)
      .fontSize(22)
      .fillColor(TEXT_COLOUR)
      .text(doc.title, MARGIN.left, pdf.y, {
        width: this.width,
      });
    if (doc.subtitle) {
      pdf.moveDown(0.3);
      this.faceFor(doc.subtitle).fontSize(14).text(doc.subtitle, { width: this.width });
    }
    pdf.moveDown(0.6);
    pdf
      .font(REGULAR)
      .fontSize(10)
      .fillColor('#555555')
      .text(`Generated ${doc.generatedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC`, {
        width: this.width,
      });
    pdf.moveDown(1.5);
    pdf.fillColor(TEXT_COLOUR);
    for (const fact of doc.facts) {
      this.faceFor(fact.label, true)
        .fontSize(11)
        .text(`${fact.label}: `, { width: this.width, continued: true });
      // An empty value would leave the line `continued`, and the next label would print over it.
      const value = fact.value === '' ? '—' : fact.value;
      this.faceFor(value).text(value);
      pdf.moveDown(0.2);
    }
  }

  private startSection(title: string, first: boolean): void {
    const pdf = this.pdf;
    if (first || pdf.y + SECTION_START_ROOM > pdf.page.maxY()) pdf.addPage();
    else pdf.moveDown(1.5);
    this.faceFor(title, true).fontSize(14).fillColor(TEXT_COLOUR).text(title, MARGIN.left, pdf.y, {
      width: this.width,
    });
    pdf.moveDown(0.4);
  }

  /** On a page a section runs on to: its title again, marked as continued. */
  private continued(title: string): void {
    const pdf = this.pdf;
    pdf.addPage();
    this.faceFor(title)
      .fontSize(9)
      .fillColor('#555555')
      .text(`${title} (continued)`, MARGIN.left, MARGIN.top, {
        width: this.width,
      });
    pdf.moveDown(0.3);
    pdf.fillColor(TEXT_COLOUR);
  }

  /**
   * A table: printed as it streams when its columns fit the page at a readable width; otherwise
   * as column groups one after the other ("Per partner (2 of 3)"), each repeating the first
   * column (the row's label) — a summary table's rows (tens to hundreds) are kept to print each
   * group, a `detail` listing never reaches here.
   */
  private async table(section: TableSection, onRow: RowCounter, first: boolean): Promise<void> {
    const groups = columnGroups(this.readableWidths(section.columns), this.width);
    if (groups.length === 1) {
      this.startSection(section.title, first);
      await this.tableRows(section.title, section.columns, groups[0]!.widths, section.rows, onRow);
      return;
    }
    const rows: Row[] = [];
    for await (const row of section.rows as AsyncIterable<Row>) {
      rows.push(row);
      this.count(onRow);
    }
    for (const [n, group] of groups.entries()) {
      const title = `${section.title} (${n + 1} of ${groups.length})`;
      this.startSection(title, first && n === 0);
      const columns = group.columns.map((i) => section.columns[i]!);
      await this.tableRows(title, columns, group.widths, rows, undefined);
    }
  }

  /** The rows under a header row repeated on each page; counted when `onRow` is given. */
  private async tableRows(
    title: string,
    columns: readonly Column[],
    widths: number[],
    source: AsyncIterable<Row> | Iterable<Row>,
    onRow: RowCounter | undefined,
  ): Promise<void> {
    const pdf = this.pdf;
    this.headerRow(columns, widths);
    let rows = 0;
    for await (const row of source as AsyncIterable<Row>) {
      const texts = columns.map((c) => cellText(c.type, row[c.key] ?? null));
      pdf.font(REGULAR).fontSize(CELL_SIZE);
      const height = rowHeight(pdf, texts, widths, CELL_LINES, (text) => this.faceFor(text));
      if (pdf.y + height > pdf.page.maxY()) {
        this.continued(title);
        this.headerRow(columns, widths);
        pdf.font(REGULAR).fontSize(CELL_SIZE);
      }
      this.drawRow(columns, widths, texts, height, false);
      rows += 1;
      if (onRow) this.count(onRow);
      if (this.failure || this.pdf.readableLength > MAX_PENDING_BYTES) await this.room();
    }
    if (rows === 0) {
      pdf
        .font(REGULAR)
        .fontSize(9)
        .text('No rows.', MARGIN.left, pdf.y + 4, { width: this.width });
    }
  }

  /**
   * The width each column needs to be read: never narrower than its header's longest word (a
   * header wraps between words, never inside one) nor, for a figure, than its type's longest
   * usual value; text by its declared width, the first column (the label) between
   * LABEL_MIN_WIDTH and LABEL_MAX_WIDTH, any other text column at most TEXT_MAX_WIDTH.
   */
  private readableWidths(columns: readonly Column[]): number[] {
    const pdf = this.pdf.font(BOLD).fontSize(CELL_SIZE);
    return columns.map((c, i) => {
      const word = Math.max(...c.header.split(/\s+/).map((w) => pdf.widthOfString(w)));
      const declared = (c.width ?? c.header.length + 2) * CHAR_WIDTH;
      const content =
        c.type === 'text'
          ? i === 0
            ? Math.min(LABEL_MAX_WIDTH, Math.max(LABEL_MIN_WIDTH, declared))
            : Math.min(TEXT_MAX_WIDTH, declared)
          : Math.max(FIGURE_MIN_WIDTH[c.type], c.width === undefined ? 0 : declared);
      return Math.ceil(Math.max(word, content) + 2 * CELL_PAD);
    });
  }

  private headerRow(columns: readonly Column[], widths: number[]): void {
    const pdf = this.pdf;
    pdf.font(BOLD).fontSize(CELL_SIZE);
    const texts = columns.map((c) => c.header);
    const height = rowHeight(pdf, texts, widths, Infinity, (text) => this.faceFor(text, true));
    this.drawRow(columns, widths, texts, height, true);
  }

  private drawRow(
    columns: readonly Column[],
    widths: number[],
    texts: string[],
    height: number,
    header: boolean,
  ): void {
    const pdf = this.pdf;
    const top = pdf.y;
    if (header) pdf.rect(MARGIN.left, top, this.width, height).fill(HEADER_FILL);
    pdf.fillColor(TEXT_COLOUR);
    let x = MARGIN.left;
    for (let i = 0; i < columns.length; i++) {
      const width = widths[i]!;
      this.faceFor(texts[i]!, header);
      pdf.text(texts[i]!, x + CELL_PAD, top + CELL_PAD, {
        width: width - 2 * CELL_PAD,
        height: height - 2 * CELL_PAD,
        ellipsis: true,
        align: isFigure(columns[i]!.type) ? 'right' : 'left',
      });
      x += width;
    }
    pdf
      .moveTo(MARGIN.left, top + height)
      .lineTo(MARGIN.left + this.width, top + height)
      .lineWidth(header ? 0.8 : 0.4)
      .strokeColor(RULE_COLOUR)
      .stroke();
    pdf.x = MARGIN.left;
    pdf.y = top + height;
  }

  private async detailNote(section: TableSection, onRow: RowCounter): Promise<void> {
    let rows = 0;
    // Counted, not kept: a listing can run to millions of rows.
    for await (const row of section.rows as AsyncIterable<Row>) {
      void row;
      rows += 1;
      this.count(onRow);
    }
    this.pdf
      .font(REGULAR)
      .fontSize(10)
      .fillColor(TEXT_COLOUR)
      .text(
        `${groupThousands(String(rows))} ${rows === 1 ? 'row' : 'rows'}: see the XLSX or CSV of this report.`,
        MARGIN.left,
        this.pdf.y,
        { width: this.width },
      );
  }

  private async chart(section: ChartSection): Promise<void> {
    const pdf = this.pdf;
    if (section.bars.length === 0) {
      pdf.font(REGULAR).fontSize(9).text('No data.', MARGIN.left, pdf.y, { width: this.width });
      return;
    }
    const labelWidth = this.width * 0.34;
    const valueWidth = 72;
    const barSpace = this.width - labelWidth - valueWidth - 8;
    const max = Math.max(0, ...section.bars.map((bar) => bar.value));
    pdf.y += 4;
    for (const bar of section.bars) {
      if (pdf.y + BAR_HEIGHT > pdf.page.maxY()) this.continued(section.title);
      const top = pdf.y;
      this.faceFor(bar.label).fontSize(9).fillColor(TEXT_COLOUR);
      pdf.text(bar.label, MARGIN.left, top + 3, {
        width: labelWidth - 8,
        height: BAR_HEIGHT - 3,
        ellipsis: true,
      });
      const length = max > 0 && bar.value > 0 ? (barSpace * bar.value) / max : 0;
      if (length > 0)
        pdf.rect(MARGIN.left + labelWidth, top + 2, length, BAR_HEIGHT - 4).fill(BAR_COLOUR);
      pdf
        .fillColor(TEXT_COLOUR)
        .text(groupThousands(String(bar.value)), MARGIN.left + labelWidth + length + 4, top + 3, {
          width: valueWidth,
          height: BAR_HEIGHT - 3,
          ellipsis: true,
          lineBreak: false,
        });
      pdf.x = MARGIN.left;
      pdf.y = top + BAR_HEIGHT;
      if (this.failure || this.pdf.readableLength > MAX_PENDING_BYTES) await this.room();
    }
  }

  private count(onRow: RowCounter): void {
    if (this.failure) throw this.failure;
    if (++this.counted % COUNT_EVERY === 0) onRow(this.counted);
  }

  /** The page number at the foot of each page, drawn as the page starts. */
  private footer(): void {
    const pdf = this.pdf;
    this.page += 1;
    const { x, y } = pdf;
    const bottom = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0; // Writing in the margin must not start another page.
    pdf
      .font(REGULAR)
      .fontSize(8)
      .fillColor('#777777')
      .text(String(this.page), MARGIN.left, pdf.page.height - 36, {
        width: this.width,
        align: 'center',
        lineBreak: false,
      });
    pdf.page.margins.bottom = bottom;
    pdf.fillColor(TEXT_COLOUR);
    pdf.x = x;
    pdf.y = y;
  }

  /** Waits while more of the PDF waits for the destination than MAX_PENDING_BYTES. */
  private async room(): Promise<void> {
    // A failed destination takes nothing more: stop at once rather than fill the buffers.
    if (this.failure) throw this.failure;
    while (this.pdf.readableLength > MAX_PENDING_BYTES) {
      await Promise.race([once(this.out, 'drain'), this.failed]);
    }
  }
}

type ColumnGroup = { columns: number[]; widths: number[] };

/**
 * Columns packed into groups that fit `total`, in order: the first group starts with every
 * column up to the page's width; each further one repeats the first column (the row's label)
 * and takes as many next columns as fit (at least one). Each group's widths then grow in
 * proportion to fill the page.
 */
export function columnGroups(readable: readonly number[], total: number): ColumnGroup[] {
  const label = Math.min(readable[0] ?? total, total / 2);
  const groups: number[][] = [];
  let current = [0];
  let used = label;
  for (let i = 1; i < readable.length; i++) {
    const width = Math.min(readable[i]!, total - label);
    if (used + width > total && current.length > 1) {
      groups.push(current);
      current = [0];
      used = label;
    }
    current.push(i);
    used += width;
  }
  groups.push(current);
  return groups.map((columns) => {
    const widths = columns.map((i) => (i === 0 ? label : Math.min(readable[i]!, total - label)));
    const sum = widths.reduce((a, b) => a + b, 0);
    return { columns, widths: widths.map((w) => (total * w) / sum) };
  });
}

/**
 * The height of a row: its tallest cell, at most `lines` lines, plus padding; each cell
 * measured in the face `faceFor` sets for it (the face it is drawn in).
 */
function rowHeight(
  pdf: PDFKit.PDFDocument,
  texts: string[],
  widths: number[],
  lines: number,
  faceFor: (text: string) => void,
): number {
  const line = pdf.currentLineHeight(true);
  let tallest = line;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    if (text === '') continue;
    faceFor(text);
    const height = pdf.heightOfString(text, { width: widths[i]! - 2 * CELL_PAD });
    tallest = Math.max(tallest, Math.min(height, line * lines));
  }
  return tallest + 2 * CELL_PAD;
}
