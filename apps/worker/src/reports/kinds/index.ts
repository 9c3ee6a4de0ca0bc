import type { ReportKinds } from '../kind';

/** Every report kind the worker builds, by name (filled in kind by kind). */
export const reportKinds: Partial<ReportKinds> = {};
