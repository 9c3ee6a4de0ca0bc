/**
 * The reports tables (schema `reports`): none yet; they arrive with the issue that builds
 * them (migrations/reports/0001-schema.ts only makes the schema).
 */
export type ReportsTables = Record<never, never>;
