import { AppError, type Principal } from '@sp/platform';
import type { ReportRequest } from '@sp/types';
import type { ReportAudience } from './kind';

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What makes two requests "the same": kind, format and parameters (in any key order). While a
 * run of a key is queued or running, asking again returns that run.
 */
export const paramsKeyOf = (request: ReportRequest): string =>
  `${request.kind}:${request.format}:${canonicalJson(request.params)}`;

/**
 * Whether `principal` may ask for a report about `partnerId` (null: programme-wide). Staff may
 * ask for any. A partner may ask only for reports about itself: a programme-wide report is
 * 403 (it is not about any partner, so saying "not yours" reveals nothing), a report about
 * another partner is 404 — as a partner's token finds another partner's rows everywhere else,
 * which neither confirms nor denies that the partner exists.
 */
export function checkMayRequest(principal: Principal, partnerId: string | null): void {
  if (principal.kind !== 'partner') return;
  if (partnerId === null)
    throw new AppError('forbidden', 'a partner may request only reports about itself');
  if (partnerId !== principal.partnerId) throw AppError.notFound('partner', partnerId);
}

/** Whom a run's file is for: a partner's own run is the partner's; staff's and scheduled are staff's. */
export const audienceOf = (run: {
  requesterKind: 'staff' | 'partner' | 'schedule';
}): ReportAudience => (run.requesterKind === 'partner' ? 'partner' : 'staff');
