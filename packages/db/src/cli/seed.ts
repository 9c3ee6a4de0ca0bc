#!/usr/bin/env node
import { createDb } from '../create-db';
import { redact } from '../migrator';
import { seed } from '../seed/seed';
import { databaseUrl, runCli } from './env';

runCli(async () => {
  const url = databaseUrl();
  const db = createDb(url, { max: 1, applicationName: 'seed' });
  try {
    process.stdout.write(`seeding ${redact(url)}\n`);
    const counts = await seed(db, (step, done, total) => {
      process.stdout.write(`  ${step} ${done}/${total}${done === total ? '\n' : '\r'}`);
    });
    const added = Object.entries(counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    process.stdout.write(`seed done: inserted ${added} (existing rows are left as they are)\n`);
  } finally {
    await db.destroy();
  }
});
