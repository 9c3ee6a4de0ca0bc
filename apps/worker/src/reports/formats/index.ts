import type { FormatWriter, ReportFormat } from '../document';
import { csvWriter } from './csv.writer';
import { pdfWriter } from './pdf.writer';
import { xlsxWriter } from './xlsx.writer';

/** Every format the worker writes, by name. */
export const formatWriters: Record<ReportFormat, FormatWriter> = {
  csv: csvWriter,
  xlsx: xlsxWriter,
  pdf: pdfWriter,
};
