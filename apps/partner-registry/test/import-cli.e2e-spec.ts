import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@sp/testing';

/** `npm run import` as a real process: the built CLI against the file's own database. */
const cli = join(__dirname, '..', 'dist', 'cli', 'import.js');

let database: TestDatabase;
let dir: string;
let partnerId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'import-cli-'));
  ({ id: partnerId } = await database.db
    .insertInto('registry.partner')
    .values({ nameEn: 'Princeton University', country: 'US', status: 'strategic' })
    .returning('id')
    .executeTakeFirstOrThrow());
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: database.url } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });

const file = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `\uFEFF${lines.join('\r\n')}\r\n`);
  return path;
};

const mobilityRows = () =>
  database.db.selectFrom('registry.mobilityRecord').selectAll().orderBy('count').execute();

const HEADER = 'partnerId,fiscalYear,direction,personType,programme,count,note';

it('checks a file with --dry-run, then imports it, audited as the person at the terminal', async () => {
  const lines = [HEADER];
  for (let i = 0; i < 3000; i++)
    lines.push(`${partnerId},2024,inbound,graduate,Programme ${i},${i},交換留学 ${i}`);
  const path = file('good.csv', lines);

  const dry = await run(['mobility', path, '--dry-run']);
  expect(dry).toMatchObject({ code: 0 });
  expect(dry.stdout).toContain('3000 rows: 3000 valid, 0 not valid; dry run, nothing written');
  // Not a terminal: progress as lines, ending at the whole file.
  expect(dry.stderr).toMatch(/read \d+ rows \(\d+%\)\n/);
  expect(dry.stderr).toContain('(100%)');
  expect(await mobilityRows()).toEqual([]);

  const applied = await run(['mobility', path]);
  expect(applied).toMatchObject({ code: 0 });
  expect(applied.stderr).toContain('wrote 3000 rows in one transaction');
  expect(applied.stdout).toMatch(/3000 imported \(import [0-9a-f-]{36}\)/);
  const rows = await mobilityRows();
  expect(rows).toHaveLength(3000);
  expect(rows[2999]).toMatchObject({
    partnerId,
    fiscalYear: 2024,
    programme: 'Programme 2999',
    note: '交換留学 2999',
    reviewStatus: 'approved',
    reportedBy: 'staff',
  });
  const audit = await database.db
    .selectFrom('registry.auditLog')
    .select(['actorKind', 'actorId', 'action'])
    .where('entity', '=', 'import')
    .execute();
  expect(audit).toEqual([
    { actorKind: 'staff', actorId: `cli:${userInfo().username}`, action: 'import-mobility' },
  ]);

  // The same file again: every row is a report that exists; nothing more is written.
  const again = await run(['mobility', path]);
  expect(again.code).toBe(1);
  expect(again.stdout).toContain('line 2, column programme: this partner already has a report');
  expect(await mobilityRows()).toHaveLength(3000);
});

it('refuses a file with one bad row, naming its line and column, and writes nothing', async () => {
  const path = file('bad.csv', [
    HEADER,
    `${partnerId},2023,outbound,undergraduate,Summer school,5,`,
    `${partnerId},2023,sideways,undergraduate,Winter school,5,`,
  ]);
  const before = (await mobilityRows()).length;
  const result = await run(['mobility', path]);
  expect(result.code).toBe(1);
  expect(result.stdout).toContain('line 3, column direction:');
  expect(result.stdout).toContain('1 of 2 rows are not valid; nothing was imported');
  expect(await mobilityRows()).toHaveLength(before);
});

it('explains its usage', async () => {
  const result = await run(['planets', 'x.csv']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('usage: npm run import -- <activities|mobility|partners>');
});
