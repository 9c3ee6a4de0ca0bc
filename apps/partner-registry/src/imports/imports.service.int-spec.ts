import { randomUUID } from 'node:crypto';
import { AppError, requestContext } from '@sp/platform';
import { createTestDatabase, type TestDatabase } from '@sp/testing';
import type { ImportReport } from '@sp/types';
import { ActivitiesService } from '../activities/activities.service';
import { standaloneImportsService } from '../cli/standalone-imports';
import { IMPORT_BATCH, type ImportsService } from './imports.service';

/**
 * The import service as the CLI builds it, against the file's own database, fed by a source
 * that makes its rows only as they are pulled: what it has pulled when each batch is written
 * shows how much of the file the import holds.
 */
let database: TestDatabase;
let imports: ImportsService;
let partnerId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  imports = standaloneImportsService(database.db);
  ({ id: partnerId } = await database.db
    .insertInto('registry.partner')
    .values({ nameEn: 'Streaming University', country: 'JP', status: 'primary' })
    .returning('id')
    .executeTakeFirstOrThrow());
});
afterAll(() => database.drop());
afterEach(() => jest.restoreAllMocks());

const HEADER = 'partnerId,type,titleEn,titleJa,departments,startsOn,status,isPublic';
/** Rows per chunk the source yields (about 6 KB). */
const ROWS_PER_CHUNK = 50;

/** A file of `rows` activities, made a chunk at a time as the import pulls it. */
function lazyFile(rows: number, line: (i: number) => string) {
  const pulled = { rows: 0 };
  const source = (function* () {
    yield Buffer.from(`\uFEFF${HEADER}\r\n`);
    for (let i = 0; i < rows; i += ROWS_PER_CHUNK) {
      const lines: string[] = [];
      for (let j = i; j < Math.min(rows, i + ROWS_PER_CHUNK); j++) lines.push(line(j));
      pulled.rows += lines.length;
      yield Buffer.from(`${lines.join('\r\n')}\r\n`);
    }
  })();
  return { source, pulled };
}

const goodRow = (tag: string) => (i: number) =>
  `${partnerId},joint-research,"${tag} ${i}, streamed",ストリーム${i},Engineering; 工学系研究科,2024-04-01,ongoing,${i % 2 === 0}`;

/** Runs an import as a member of staff, as the CLI does. */
const run = (source: Iterable<Buffer>, dryRun: boolean): Promise<ImportReport> =>
  requestContext.run(() => {
    requestContext.setPrincipal({ kind: 'staff', sub: 'import-test', role: 'staff' });
    return imports.run('activities', source, { dryRun });
  });

const countOf = async (table: 'registry.activity' | 'registry.outbox', where?: string) => {
  let q = database.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'));
  if (where && table === 'registry.activity') q = q.where('titleEn', 'like', `${where} %`);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

it('holds one batch at a time: each is written before more than a batch past it is read', async () => {
  const rows = 12 * IMPORT_BATCH + 345;
  const tag = `Bounded ${randomUUID()}`;
  const file = lazyFile(rows, goodRow(tag));
  const writes: { rows: number; pulled: number; written: number }[] = [];
  let written = 0;
  const original = ActivitiesService.prototype.createMany;
  jest.spyOn(ActivitiesService.prototype, 'createMany').mockImplementation(async function (
    this: ActivitiesService,
    trx,
    values,
  ) {
    writes.push({ rows: values.length, pulled: file.pulled.rows, written });
    const n = await original.call(this, trx, values);
    written += n;
    return n;
  });
  const outboxBefore = await countOf('registry.outbox');

  const report = await run(file.source, false);

  expect(report).toMatchObject({ rows, inserted: rows, invalidRows: 0, errors: [] });
  expect(writes).toHaveLength(13);
  expect(writes.every((w) => w.rows <= IMPORT_BATCH)).toBe(true);
  // Read but not yet written, when each batch goes in: the batch itself and what the parser
  // reads ahead (its 64 KiB of text, about 550 rows here), never the file.
  const inFlight = writes.map((w) => w.pulled - w.written);
  expect(Math.max(...inFlight)).toBeLessThan(2 * IMPORT_BATCH);
  expect(writes[0]!.pulled).toBeLessThan(rows / 5);
  // Every row, and its event, committed.
  expect(await countOf('registry.activity', tag)).toBe(rows);
  expect(await countOf('registry.outbox')).toBe(outboxBefore + rows + 1);
}, 120_000);

it('a bad row after many written batches rolls them all back and is named by line and column', async () => {
  const rows = 12 * IMPORT_BATCH;
  const tag = `Rolled back ${randomUUID()}`;
  const good = goodRow(tag);
  // Line 11,002 is row 11,000 (the header is line 1); one more bad row after it.
  const file = lazyFile(rows, (i) =>
    i === 11_000
      ? `${partnerId},joint-research,${tag} bad,,,2024-13-01,ongoing,true`
      : i === 11_500
        ? `${randomUUID()},joint-research,${tag} nobody's,,,,,`
        : good(i),
  );
  let batchesWritten = 0;
  const original = ActivitiesService.prototype.createMany;
  jest.spyOn(ActivitiesService.prototype, 'createMany').mockImplementation(async function (
    this: ActivitiesService,
    trx,
    values,
  ) {
    batchesWritten++;
    return original.call(this, trx, values);
  });
  const outboxBefore = await countOf('registry.outbox');

  const refused = await run(file.source, false).catch((error: unknown) => error);

  expect(refused).toBeInstanceOf(AppError);
  const problem = refused as AppError;
  expect(problem.code).toBe('invalid-import');
  expect(problem.message).toBe(`2 of ${rows} rows are not valid; nothing was imported`);
  expect(problem.errors?.map((e) => e.field)).toEqual([
    'line 11002, column startsOn',
    'line 11502, column partnerId',
  ]);
  // The eleven batches before the bad row went in, and were rolled back with the rest.
  expect(batchesWritten).toBe(11);
  expect(await countOf('registry.activity', tag)).toBe(0);
  expect(await countOf('registry.outbox')).toBe(outboxBefore);
}, 120_000);

it('lists the first thousand problems of a file of bad rows and counts them all', async () => {
  const rows = 3 * IMPORT_BATCH;
  const tag = `Bad ${randomUUID()}`;
  const file = lazyFile(rows, (i) => `${partnerId},picnic,${tag} ${i},,,,,`);
  const report = await run(file.source, true);
  expect(report).toMatchObject({ rows, validRows: 0, invalidRows: rows, truncated: true });
  expect(report.errors).toHaveLength(1000);
  expect(report.errors[0]).toMatchObject({ line: 2, column: 'type', code: 'invalid_value' });
  expect(report.errors[999]).toMatchObject({ line: 1001 });
});
