import type { ReportKinds } from '../kind';
import { fiscalYearKind } from './fiscal-year.kind';

/** Every report kind the worker builds, by name (filled in kind by kind). */
export const reportKinds: Partial<ReportKinds> = { 'fiscal-year': fiscalYearKind };
