/**
 * The report kinds the worker builds (`Partial<ReportKinds>`, by name): `kinds/index.ts`'s
 * registry by default. A token, so tests can register fixture kinds under the real names.
 */
export const REPORT_KINDS = Symbol('REPORT_KINDS');
/** The format writers (`Partial<Record<ReportFormat, FormatWriter>>`): `formats/index.ts`'s. */
export const FORMAT_WRITERS = Symbol('FORMAT_WRITERS');
