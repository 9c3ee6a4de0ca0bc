import { createTemplateDatabase, dropOrphanedDatabases, TEMPLATE_ENV } from './database';

/** Jest global setup: one migrated template per run; test workers inherit its name. */
export default async function globalSetup(): Promise<void> {
  await dropOrphanedDatabases();
  process.env[TEMPLATE_ENV] = await createTemplateDatabase();
}
