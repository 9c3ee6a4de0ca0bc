import { z } from 'zod';
import { uuid } from '../shared/common';

// What a report run is asked for: a kind, its parameters (validated per kind) and a format.
// The run itself (state, progress, file) is defined beside the reports API.

export const reportFormats = ['csv', 'xlsx', 'pdf'] as const;
export const reportFormatSchema = z.enum(reportFormats);
export type ReportFormat = z.infer<typeof reportFormatSchema>;

export const reportKinds = [
  'fiscal-year',
  'partner-profile',
  'symposium',
  'inquiry-statistics',
] as const;
export const reportKindSchema = z.enum(reportKinds);
export type ReportKind = z.infer<typeof reportKindSchema>;

/** A Japanese fiscal year, named by the calendar year it starts in (FY2025 = April 2025–March 2026). */
const reportFiscalYearSchema = z.number().int().min(1990).max(2200);

/** `YYYY-MM`, in the years a fiscal year may be (1990–2200). */
export const yearMonthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM, e.g. "2026-04"')
  .refine((m) => Number(m.slice(0, 4)) >= 1990 && Number(m.slice(0, 4)) <= 2200, {
    message: 'must be a month of the years 1990–2200',
  });

export const reportParamsSchemas = {
  /** Per partner and programme-wide figures of one fiscal year, with the change on the year before. */
  'fiscal-year': z.strictObject({ fiscalYear: reportFiscalYearSchema }),
  /** One partner's whole record, for a visit briefing. */
  'partner-profile': z.strictObject({ partnerId: uuid() }),
  /** One symposium: programme, speakers, participants, attendance, documents. */
  symposium: z.strictObject({ symposiumId: uuid() }),
  /** Inquiries per month and category over `from`..`to` (inclusive, at most 36 months). */
  'inquiry-statistics': z
    .strictObject({ from: yearMonthSchema, to: yearMonthSchema })
    .refine((p) => p.from <= p.to, { message: '"from" must not be after "to"', path: ['to'] })
    .refine((p) => monthsBetween(p.from, p.to) < 36, {
      message: 'at most 36 months in one report',
      path: ['to'],
    }),
} as const satisfies Record<ReportKind, z.ZodType>;

export type ReportParams<K extends ReportKind = ReportKind> = z.infer<
  (typeof reportParamsSchemas)[K]
>;

/** `POST /reports`: the kind picks the parameters' schema. */
export const reportRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('fiscal-year'),
    format: reportFormatSchema,
    params: reportParamsSchemas['fiscal-year'],
  }),
  z.strictObject({
    kind: z.literal('partner-profile'),
    format: reportFormatSchema,
    params: reportParamsSchemas['partner-profile'],
  }),
  z.strictObject({
    kind: z.literal('symposium'),
    format: reportFormatSchema,
    params: reportParamsSchemas.symposium,
  }),
  z.strictObject({
    kind: z.literal('inquiry-statistics'),
    format: reportFormatSchema,
    params: reportParamsSchemas['inquiry-statistics'],
  }),
]);
export type ReportRequest = z.infer<typeof reportRequestSchema>;

function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
}
