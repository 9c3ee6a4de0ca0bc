import type { Kysely } from 'kysely';

// The schema itself is created by the migrator (it holds this schema's migration table);
// the inquiries tables arrive with the issue that builds them.
export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
