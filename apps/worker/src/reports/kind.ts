import type { ReportFormat, ReportKind, ReportParams } from '@sp/types';
import type { Kysely } from 'kysely';
import type { ReportDocument } from './document';

/**
 * The database a kind reads: the services' published report views only (`registry.report_*`,
 * `symposium.report_*`, `inquiries.report_*`), inside one read-only REPEATABLE READ transaction
 * under the role `sp_report_reader`, which may select from those views and nothing else. The
 * view types live in `@sp/db` (`ReportViews`).
 */
export type ReportReader<DB = unknown> = Kysely<DB>;

/**
 * Whom a run's file is for. A partner's own run (`partner`) leaves out what only staff may
 * read, as the services' APIs do for a partner token: UTokyo people (coordinator, faculty
 * leads). Staff's and scheduled runs are `staff`.
 */
export type ReportAudience = 'staff' | 'partner';

export type KindContext = {
  /** The clock of the run (the report's "generated at", and "today" for expiry windows). */
  now: Date;
  audience: ReportAudience;
};

/** One kind of report: how its parameters are read, whom it is about, and how it is built. */
export type ReportKindDefinition<K extends ReportKind, DB = unknown> = {
  kind: K;
  /**
   * The partner the report is about, or null when it is programme-wide. A partner caller (scope
   * `reports:read`) may request and fetch only runs about itself.
   */
  partnerOf(params: ReportParams<K>): string | null;
  /**
   * How many rows the build will write (a cheap count over the views), so a run's progress can
   * say a percentage. An estimate: the writer's own count is what is reported as rows so far.
   */
  estimateRows(db: ReportReader<DB>, params: ReportParams<K>): Promise<number>;
  /**
   * The document; its sections run their queries lazily (streamed with a cursor where a
   * section can be long). A missing subject (no such partner or symposium) throws
   * `AppError('not-found')`, so the run fails saying why.
   */
  build(db: ReportReader<DB>, params: ReportParams<K>, ctx: KindContext): Promise<ReportDocument>;
  /** The download's file name without extension, e.g. `fiscal-year-2025`. */
  fileName(params: ReportParams<K>): string;
};

export type AnyReportKind = { [K in ReportKind]: ReportKindDefinition<K> }[ReportKind];
export type ReportKinds = { [K in ReportKind]: ReportKindDefinition<K> };
export type { ReportFormat };
