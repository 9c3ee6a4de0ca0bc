import { businessHours, type Closure } from '@sp/platform/core';
import type { ReportKinds } from '../kind';
import { fiscalYearKind } from './fiscal-year.kind';
import { inquiryStatisticsKind } from './inquiry-statistics.kind';
import { partnerProfileKind } from './partner-profile.kind';
import { symposiumKind } from './symposium.kind';

/**
 * Every report kind, by name. Inquiry statistics measure business hours with the university's
 * closure days: pass the worker's `INQUIRY_CLOSURE_DAYS` (set alike to the inquiries service's).
 */
export function createReportKinds(options: { closures?: readonly Closure[] } = {}): ReportKinds {
  return {
    'fiscal-year': fiscalYearKind,
    'partner-profile': partnerProfileKind,
    symposium: symposiumKind,
    'inquiry-statistics': inquiryStatisticsKind(businessHours({ closures: options.closures })),
  };
}

/** Every report kind with the default closure days (the year-end break, as the setting's default). */
export const reportKinds: ReportKinds = createReportKinds({
  closures: [{ kind: 'yearly', from: '12-29', to: '01-03' }],
});
