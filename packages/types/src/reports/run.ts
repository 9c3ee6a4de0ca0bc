import { z } from 'zod';
import { pageOf, pageQuerySchema, uuid } from '../shared/common';
import { reportFormatSchema, reportKindSchema } from './request';

// A report run as the reports API (apps/worker) shows it, and the job that builds it.

/** `queued → running → succeeded | failed`. */
export const reportRunStates = ['queued', 'running', 'succeeded', 'failed'] as const;
export const reportRunStateSchema = z.enum(reportRunStates);
export type ReportRunState = z.infer<typeof reportRunStateSchema>;

/** Who asked for a run: a member of staff, a partner's API client, or a schedule. */
export const reportRequesterKinds = ['staff', 'partner', 'schedule'] as const;
export type ReportRequesterKind = (typeof reportRequesterKinds)[number];

export const reportArtifactSchema = z
  .object({
    /** The download's file name, e.g. `fiscal-year-2025.xlsx`. */
    fileName: z.string(),
    contentType: z.string(),
    /** Bytes. */
    size: z.number().int(),
    /** Hex SHA-256 of the file's bytes. */
    sha256: z.string(),
  })
  .meta({ id: 'ReportArtifact' });
export type ReportArtifact = z.infer<typeof reportArtifactSchema>;

export const reportRunSchema = z.object({
  id: uuid(),
  kind: reportKindSchema,
  format: reportFormatSchema,
  params: z.record(z.string(), z.unknown()),
  /** The partner the report is about (a partner profile), or null when programme-wide. */
  partnerId: uuid().nullable(),
  requestedBy: z.object({ kind: z.enum(reportRequesterKinds), id: z.string().nullable() }),
  state: reportRunStateSchema,
  /** 0–100 while it builds (rows written against the estimate); 100 once it has succeeded. */
  percent: z.number().int(),
  /** Rows written so far. */
  rowsWritten: z.number().int(),
  /** How many rows the build expects to write (an estimate), once it has started. */
  rowsEstimated: z.number().int().nullable(),
  /** Why it failed (`failed` only). */
  error: z.string().nullable(),
  /** A scheduled run's period, e.g. `fiscal-year:2025`, `digest:2026-11`. */
  periodKey: z.string().nullable(),
  /** The file, once it has succeeded. */
  file: reportArtifactSchema.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** When the run and its file are pruned. */
  expiresAt: z.string(),
});
export type ReportRun = z.infer<typeof reportRunSchema>;

export const reportRunQuerySchema = z
  .object({
    kind: reportKindSchema.optional(),
    state: reportRunStateSchema.optional(),
    ...pageQuerySchema.shape,
  })
  .strict();
export type ReportRunQuery = z.infer<typeof reportRunQuerySchema>;
/** Newest first; `nextCursor` continues with older ones. */
export const reportRunListSchema = pageOf(reportRunSchema);
export type ReportRunList = z.infer<typeof reportRunListSchema>;

/** The `report.build` job (and outbox message): the run to build; the run row holds the rest. */
export const reportBuildSchema = z.object({ runId: uuid() }).strict();
export type ReportBuild = z.infer<typeof reportBuildSchema>;

/** Messages the reports outbox carries besides mail. */
export const reportEvents = { 'report.build': reportBuildSchema } as const;
