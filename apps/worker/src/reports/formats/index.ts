import type { FormatWriter, ReportFormat } from '../document';
import { csvWriter } from './csv.writer';

/** Every format the worker writes, by name (filled in format by format). */
export const formatWriters: Partial<Record<ReportFormat, FormatWriter>> = { csv: csvWriter };
