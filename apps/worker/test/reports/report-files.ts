import * as XLSX from '@e965/xlsx';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** An XLSX file read back with SheetJS (a reader independent of exceljs, which wrote it). */
export type ReadWorkbook = {
  sheetNames: string[];
  /** A sheet's rows as raw cell values (numbers stay numbers), the header row first. */
  rows(sheet: string): unknown[][];
  /** A sheet's data rows keyed by the header row. */
  records(sheet: string): Record<string, unknown>[];
  /** One cell, with its type (`n` for a number cell). */
  cell(sheet: string, address: string): XLSX.CellObject | undefined;
};

export function readXlsx(bytes: Buffer): ReadWorkbook {
  const book = XLSX.read(bytes, { cellNF: true });
  const sheetOf = (name: string) => {
    const sheet = book.Sheets[name];
    if (!sheet) throw new Error(`sheet ${name} missing; have ${book.SheetNames.join(', ')}`);
    return sheet;
  };
  const rows = (name: string): unknown[][] =>
    XLSX.utils.sheet_to_json(sheetOf(name), { header: 1, defval: null, raw: true });
  return {
    sheetNames: book.SheetNames,
    rows,
    records(name) {
      const [header = [], ...data] = rows(name);
      return data.map((r) => Object.fromEntries(header.map((h, i) => [String(h), r[i]])));
    },
    cell: (name, address) => sheetOf(name)[address] as XLSX.CellObject | undefined,
  };
}

/** The text of a PDF, page by page, as pdf.js (a reader independent of pdfkit) extracts it. */
export async function pdfText(bytes: Buffer): Promise<string[]> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await pdf.destroy();
  return pages;
}
