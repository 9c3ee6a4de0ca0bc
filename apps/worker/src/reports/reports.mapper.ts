import type { ReportRun } from '@sp/types';
import type { RunWithArtifact } from './reports.repository';

/** Row → contract: counts as numbers, timestamps as ISO strings, the file once there is one. */
export const toReportRun = (r: RunWithArtifact): ReportRun => ({
  id: r.id,
  kind: r.kind,
  format: r.format,
  params: r.params as Record<string, unknown>,
  partnerId: r.partnerId,
  requestedBy: { kind: r.requesterKind, id: r.requesterId },
  state: r.state,
  percent: r.percent,
  rowsWritten: Number(r.rowsWritten),
  rowsEstimated: r.rowsEstimated === null ? null : Number(r.rowsEstimated),
  error: r.error,
  periodKey: r.periodKey,
  file: r.artifact
    ? {
        fileName: r.artifact.fileName,
        contentType: r.artifact.contentType,
        size: Number(r.artifact.size),
        sha256: r.artifact.sha256,
      }
    : null,
  createdAt: r.createdAt.toISOString(),
  startedAt: r.startedAt?.toISOString() ?? null,
  finishedAt: r.finishedAt?.toISOString() ?? null,
  expiresAt: r.expiresAt.toISOString(),
});
