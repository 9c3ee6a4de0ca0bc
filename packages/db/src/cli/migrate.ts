#!/usr/bin/env node
import { createDb } from '../create-db';
import { ensureDatabase, migrateToLatest, redact, rollback } from '../migrator';
import { schemas } from '../migrations/index';
import { databaseUrl, runCli } from './env';

const usage = `usage: migrate up
       migrate down <schema> [--all]    schemas: ${schemas.join(', ')}`;

runCli(async () => {
  const [command, schema, flag] = process.argv.slice(2);
  const url = databaseUrl();
  if (command === 'up') {
    if (await ensureDatabase(url)) process.stdout.write(`created database ${redact(url)}\n`);
  } else if (command !== 'down' || !schema) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  const db = createDb(url, { max: 1, applicationName: 'migrate' });
  try {
    if (command === 'up') {
      await migrateToLatest(db, ({ schema: s, results }) => {
        const applied = results.map((r) => r.migrationName);
        process.stdout.write(
          `migrate ${s}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}\n`,
        );
      });
    } else {
      const { results } = await rollback(db, schema!, flag === '--all');
      const undone = results.map((r) => r.migrationName);
      process.stdout.write(
        `rollback ${schema}: ${undone.length ? `undid ${undone.join(', ')}` : 'nothing to undo'}\n`,
      );
    }
  } finally {
    await db.destroy();
  }
});
