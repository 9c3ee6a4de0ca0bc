import type { InquiriesTables } from './inquiries';
import type { NotificationsTables } from './notifications';
import type { RegistryTables } from './registry';
import type { ReportsTables } from './reports';
import type { SymposiumTables } from './symposium';

export type * from './inquiries';
export type * from './notifications';
export type * from './registry';
export type * from './report-views';
export type * from './reports';
export type * from './shared';
export type * from './symposium';
export { auditedSchemas, consumerSchemas, outboxSchemas } from './shared';

/**
 * Every table, keyed `schema.table` as Kysely expects, one file per schema. Column names are
 * camelCase here and snake_case in Postgres; `CamelCasePlugin` (create-db.ts) maps between
 * them. Enum-like columns are the unions `@sp/types` exports. test/schema-drift.int-spec.ts
 * compares these types with the migrated database.
 */
export type DB = RegistryTables &
  SymposiumTables &
  InquiriesTables &
  NotificationsTables &
  ReportsTables;
