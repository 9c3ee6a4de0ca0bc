import { z } from 'zod';
import { countryCodeSchema, queryList, uuid } from '../shared/common';
import { activityListQuerySchema } from './activity';
import { fundingListQuerySchema } from './funding';
import { mobilityListQuerySchema } from './mobility';
import { partnerStatusSchema } from './partner';

/**
 * CSV export and import (apps/partner-registry `exports/`, `imports/`): what may be exported
 * and imported, the filters of an export, and the report an import answers with.
 */
export const exportKinds = ['partners', 'activities', 'mobility', 'funding'] as const;
export type ExportKind = (typeof exportKinds)[number];

/** Filters of `GET /exports/partners.csv`: those of `GET /partners`, without paging. */
export const partnerExportQuerySchema = z
  .object({
    status: queryList(partnerStatusSchema).optional(),
    country: queryList(z.string().toUpperCase().pipe(countryCodeSchema)).optional(),
  })
  .strict();
export type PartnerExportQuery = z.infer<typeof partnerExportQuerySchema>;

const noPaging = { limit: true, cursor: true } as const;
/** Filters of the other exports: those of their list routes, without paging. */
export const activityExportQuerySchema = activityListQuerySchema.omit(noPaging);
export type ActivityExportQuery = z.infer<typeof activityExportQuerySchema>;
export const mobilityExportQuerySchema = mobilityListQuerySchema.omit(noPaging);
export type MobilityExportQuery = z.infer<typeof mobilityExportQuerySchema>;
export const fundingExportQuerySchema = fundingListQuerySchema.omit(noPaging);
export type FundingExportQuery = z.infer<typeof fundingExportQuerySchema>;

/** What a CSV import may create. */
export const importKinds = ['activities', 'mobility', 'partners'] as const;
export const importKindSchema = z.enum(importKinds);
export type ImportKind = z.infer<typeof importKindSchema>;

export const importParamsSchema = z.object({ kind: importKindSchema }).strict();
export type ImportParams = z.infer<typeof importParamsSchema>;

/** `?dryRun=true` (the default) checks the file and writes nothing; `false` applies it. */
export const importQuerySchema = z
  .object({
    dryRun: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
  })
  .strict();
export type ImportQuery = z.infer<typeof importQuerySchema>;

/** The most row errors a report lists; `invalidRows` still counts them all. */
export const IMPORT_ERRORS_LISTED = 1000;

export const importRowErrorSchema = z
  .object({
    /** The file's line the row starts on (1 is the header). */
    line: z.number().int().positive(),
    /** The header's name of the offending column; null when the row as a whole is wrong. */
    column: z.string().nullable(),
    message: z.string(),
    code: z.string(),
  })
  .meta({ id: 'ImportRowError' });
export type ImportRowError = z.infer<typeof importRowErrorSchema>;

export const importReportSchema = z.object({
  kind: importKindSchema,
  dryRun: z.boolean(),
  /** Data rows in the file (the header not counted). */
  rows: z.number().int().nonnegative(),
  validRows: z.number().int().nonnegative(),
  invalidRows: z.number().int().nonnegative(),
  /** Every bad row by line and column, in file order (the first IMPORT_ERRORS_LISTED). */
  errors: z.array(importRowErrorSchema),
  /** True when more errors were found than are listed. */
  truncated: z.boolean(),
  /** Rows written (0 on a dry run). */
  inserted: z.number().int().nonnegative(),
  /** The applied import's id (its audit entry and event carry it); null on a dry run. */
  importId: uuid().nullable(),
});
export type ImportReport = z.infer<typeof importReportSchema>;

/** `import.applied` (topic `registry-records`): one event per applied import. */
export const importAppliedSchema = z.object({
  importId: uuid(),
  kind: importKindSchema,
  rows: z.number().int().nonnegative(),
  /** SHA-256 of the file as received, hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ImportApplied = z.infer<typeof importAppliedSchema>;
