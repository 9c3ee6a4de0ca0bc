import type { ReportFormat, ReportKind, ReportRequesterKind, ReportRunState } from '@sp/types';
import type { ColumnType, Generated } from 'kysely';
import type { OutboxTable, Timestamp } from './shared';

/** A `bigint` column: pg reads it as a string; written as a number. */
type BigCount = ColumnType<string, number | string | undefined, number | string>;

/** `reports.run`: one report asked for, its state and progress (migrations/reports/0002-runs.ts). */
export type ReportRunTable = {
  id: Generated<string>;
  kind: ReportKind;
  format: ReportFormat;
  params: ColumnType<unknown, string, string>;
  /** Canonical JSON of kind, format and params: one live run per key. */
  paramsKey: string;
  partnerId: string | null;
  requesterKind: ReportRequesterKind;
  requesterId: string | null;
  state: ColumnType<ReportRunState, ReportRunState | undefined, ReportRunState>;
  percent: ColumnType<number, number | undefined, number>;
  rowsWritten: BigCount;
  rowsEstimated: ColumnType<
    string | null,
    number | string | null | undefined,
    number | string | null
  >;
  error: ColumnType<string | null, string | null | undefined, string | null>;
  periodKey: ColumnType<string | null, string | null | undefined, string | null>;
  /** While running: the storage key the current attempt writes to (deleted if it dies). */
  buildKey: ColumnType<string | null, string | null | undefined, string | null>;
  attempts: ColumnType<number, number | undefined, number>;
  createdAt: Timestamp;
  startedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  progressAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  finishedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  expiresAt: ColumnType<Date, Date | string, Date | string>;
};

/** `reports.artifact`: the file of a run that succeeded. */
export type ReportArtifactTable = {
  runId: string;
  storageKey: string;
  size: ColumnType<string, number | string, number | string>;
  sha256: string;
  contentType: string;
  fileName: string;
  createdAt: Timestamp;
};

/** The worker's report tables (schema `reports`). */
export type ReportsTables = {
  'reports.run': ReportRunTable;
  'reports.artifact': ReportArtifactTable;
  'reports.outbox': OutboxTable;
};
