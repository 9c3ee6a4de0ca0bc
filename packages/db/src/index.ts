export type { CreateDbOptions } from './create-db';
export { createDb, createPool } from './create-db';
export type * from './database';
export type { MigrationReport } from './migrator';
export { ensureDatabase, migrateToLatest, redact, rollback } from './migrator';
export { schemas } from './migrations/index';
export * as seedData from './seed/data';
export type { SeedCounts, SeedProgress } from './seed/seed';
export { seed } from './seed/seed';
