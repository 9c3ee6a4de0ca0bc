import type { RegistryClient } from '@sp/client';
import {
  expectProblem,
  factories,
  rawBody,
  registryClient,
  staffToken,
  unchecked,
  useTestApp,
} from '@sp/testing';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let api: RegistryClient;
beforeAll(async () => {
  api = registryClient(ctx, await staffToken('staff'));
  await make.partner({ nameEn: 'ETH Zurich', country: 'CH' });
});

const HEADER = 'nameEn,nameJa,country,status,memberInstitutions,summaryJa';

const importCsv = (csv: string | Buffer, dryRun: 'true' | 'false') =>
  api.POST('/imports/{kind}', {
    params: { path: { kind: 'partners' }, query: { dryRun } },
    body: unchecked(csv),
    bodySerializer: (body: unknown) => body as string,
    headers: { 'content-type': 'text/csv' },
  });

const count = async (table: 'registry.partner' | 'registry.outbox' | 'registry.auditLog') =>
  Number(
    (
      await ctx.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const snapshot = async () => ({
  partners: await count('registry.partner'),
  outbox: await count('registry.outbox'),
  audit: await count('registry.auditLog'),
});

describe('POST /imports/partners', () => {
  it('a dry run checks a good file, reports its rows and writes nothing', async () => {
    const before = await snapshot();
    const res = await importCsv(
      `\uFEFF${HEADER}\r\nUniversity of Tokyo Test,東京テスト大学,JP,strategic,Hongo; Komaba,説明\r\nKyoto Test,,JP,,,\r\n`,
      'true',
    );
    expect(res.response.status).toBe(200);
    expect(res.data).toEqual({
      kind: 'partners',
      dryRun: true,
      rows: 2,
      validRows: 2,
      invalidRows: 0,
      errors: [],
      truncated: false,
      inserted: 0,
      importId: null,
    });
    expect(await snapshot()).toEqual(before);
  });

  it('a dry run reports every bad row by line and column, database conflicts included', async () => {
    const csv = [
      HEADER,
      'Good One,,DE,,,',
      'Bad Country,,Germany,,,',
      ',,FR,primary,,',
      'eth zurich,,CH,,,',
      'Twice,,IT,,,',
      'Bad Status,,IT,best,,',
      'TWICE,,IT,,,',
    ].join('\n');
    const res = await importCsv(csv, 'true');
    expect(res.response.status).toBe(200);
    expect(res.data).toMatchObject({ rows: 7, validRows: 2, invalidRows: 5, inserted: 0 });
    expect(res.data!.errors.map(({ line, column, code }) => ({ line, column, code }))).toEqual([
      { line: 3, column: 'country', code: 'invalid_format' },
      { line: 4, column: 'nameEn', code: 'invalid_type' },
      { line: 5, column: 'nameEn', code: 'duplicate' },
      { line: 7, column: 'status', code: 'invalid_value' },
      { line: 8, column: 'nameEn', code: 'duplicate' },
    ]);
    expect(res.data!.errors[4]!.message).toBe('is the name given on line 6 too');
  });

  it("compares names as the database's unique index does, 'İ' and 'I' alike", async () => {
    // JavaScript lower-cases 'İ' to 'i̇' (two code points), Postgres to 'i': a check made in
    // JavaScript passed this file, and applying it failed on the index (a 409, no line).
    const before = await snapshot();
    const csv = [
      HEADER,
      'İstanbul Technical University,,TR,,,',
      'Istanbul Technical University,,TR,,,',
    ];
    const res = await importCsv(csv.join('\n'), 'false');
    const problem = expectProblem(res, 422, 'invalid-import', ['line 3, column nameEn']);
    expect(problem.errors).toEqual([
      expect.objectContaining({ code: 'duplicate', message: 'is the name given on line 2 too' }),
    ]);
    expect(await snapshot()).toEqual(before);
    // One of them stored, the other is taken.
    expect((await importCsv([HEADER, csv[1]].join('\n'), 'false')).response.status).toBe(200);
    const again = await importCsv([HEADER, csv[2]].join('\n'), 'true');
    expect(again.data!.errors).toEqual([
      expect.objectContaining({
        line: 2,
        code: 'duplicate',
        message: 'is already the name of another partner',
      }),
    ]);
  });

  it('applying a file with one bad row writes nothing and names its line and column', async () => {
    const before = await snapshot();
    const rows = Array.from({ length: 200 }, (_, i) => `Apply Test ${i},,JP,,,`);
    rows[150] = 'Apply Test 150,,JPN,,,';
    const res = await importCsv([HEADER, ...rows].join('\n'), 'false');
    const problem = expectProblem(res, 422, 'invalid-import', ['line 152, column country']);
    expect(problem.detail).toBe('1 of 200 rows are not valid; nothing was imported');
    expect(await snapshot()).toEqual(before);
  });

  it('applies 5,000 partners in one transaction, with their events and one audit entry', async () => {
    const before = await snapshot();
    const lines = [HEADER];
    for (let i = 0; i < 5_000; i++)
      lines.push(`Imported University ${i},インポート大学${i},JP,prospective,A; B,"説明, ${i}"`);
    const csv = Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`);
    const res = await importCsv(csv, 'false');
    expect(res.response.status).toBe(200);
    expect(res.data).toMatchObject({ dryRun: false, rows: 5_000, inserted: 5_000, errors: [] });
    const importId = res.data!.importId!;
    expect(await snapshot()).toEqual({
      partners: before.partners + 5_000,
      outbox: before.outbox + 5_001,
      audit: before.audit + 1,
    });
    // One transaction: every row carries the same creating transaction id.
    const xids = await sql<{ n: string }>`
      select count(distinct xmin::text) as n from registry.partner where name_en like 'Imported University %'
    `.execute(ctx.database.db);
    expect(xids.rows[0]!.n).toBe('1');
    const imported = await ctx.database.db
      .selectFrom('registry.partner')
      .selectAll()
      .where('nameEn', '=', 'Imported University 4999')
      .executeTakeFirstOrThrow();
    expect(imported).toMatchObject({
      nameJa: 'インポート大学4999',
      memberInstitutions: ['A', 'B'],
      summaryJa: '説明, 4999',
    });
    const history = await ctx.database.db
      .selectFrom('registry.partnerStatusChange')
      .select(['toStatus'])
      .where('partnerId', '=', imported.id)
      .execute();
    expect(history).toEqual([{ toStatus: 'prospective' }]);
    const audit = await ctx.database.db
      .selectFrom('registry.auditLog')
      .selectAll()
      .where('entity', '=', 'import')
      .where('entityId', '=', importId)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ action: 'import-partners', actorId: 'staff-tester' });
    expect(audit.after).toMatchObject({ kind: 'partners', rows: 5_000 });
    const event = await ctx.database.db
      .selectFrom('registry.outbox')
      .select(['topic', 'payload'])
      .where('name', '=', 'import.applied')
      .where(sql<boolean>`payload->>'importId' = ${importId}`)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ topic: 'registry-records', payload: { importId, rows: 5_000 } });
    // Each partner reaches the other services as partner.created.
    const created = await ctx.database.db
      .selectFrom('registry.outbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('name', '=', 'partner.created')
      .executeTakeFirstOrThrow();
    expect(Number(created.n)).toBeGreaterThanOrEqual(5_000);
  }, 60_000);

  it('refuses a cell holding the NUL character by line and column, never a 500', async () => {
    const before = await snapshot();
    const res = await importCsv(
      `${HEADER}\nFine Partner,,JP,,,\nNul\u0000Partner,,JP,,,\n`,
      'false',
    );
    expectProblem(res, 422, 'invalid-import', ['line 3, column nameEn']);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses what is not CSV, and unknown kinds and options', async () => {
    const json = await api.POST('/imports/{kind}', {
      params: { path: { kind: 'partners' }, query: { dryRun: 'true' } },
      body: unchecked({ nameEn: 'x' }),
    });
    expectProblem(json, 415, 'unsupported-media-type');
    const kind = await api.POST('/imports/{kind}', {
      params: { path: { kind: unchecked('planets') }, query: { dryRun: 'true' } },
      body: unchecked('a,b\n'),
      bodySerializer: rawBody,
      headers: { 'content-type': 'text/csv' },
    });
    expectProblem(kind, 400, 'validation-error', ['kind']);
    const option = await api.POST('/imports/{kind}', {
      params: { path: { kind: 'partners' }, query: { dryRun: unchecked('maybe') } },
      body: unchecked('a,b\n'),
      bodySerializer: rawBody,
      headers: { 'content-type': 'text/csv' },
    });
    expectProblem(option, 400, 'validation-error', ['dryRun']);
  });
});

describe('a CSV body', () => {
  it('is read on the import route only: elsewhere a 415 before the body is read (helper-48)', async () => {
    // 2 MB of CSV, over BODY_LIMIT, to public and guarded routes: refused for its type.
    const csv = `${'a,b,c\r\n'.repeat(300_000)}`;
    for (const path of ['/oauth/token', '/partners']) {
      const res = await fetch(`${ctx.running.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: csv,
      });
      expect(res.status).toBe(415);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    // The import route still takes it.
    const res = await importCsv(`${HEADER}\r\nBody Route Test University,,JP,,,\r\n`, 'true');
    expect(res.response.status).toBe(200);
  });
});

describe('POST /imports/activities', () => {
  const ACTIVITY_HEADER =
    'partnerId,type,titleEn,titleJa,departments,startsOn,endsOn,status,isPublic,outputs.studentsInvolved';
  const importActivities = (csv: string | Buffer, dryRun: 'true' | 'false') =>
    api.POST('/imports/{kind}', {
      params: { path: { kind: 'activities' }, query: { dryRun } },
      body: unchecked(csv),
      bodySerializer: (body: unknown) => body as string,
      headers: { 'content-type': 'text/csv' },
    });
  let partnerId: string;
  beforeAll(async () => {
    ({ id: partnerId } = await make.partner({ nameEn: 'University of Cambridge', country: 'GB' }));
  });

  it('a dry run names unknown partners, periods that end before they start, and bad values', async () => {
    const res = await importActivities(
      [
        ACTIVITY_HEADER,
        `${partnerId},joint-research,Good,良い,Engineering; Science,2024-04-01,2025-03-31,ongoing,true,12`,
        `00000000-0000-4000-8000-000000000000,joint-research,Nobody's,,,,,,,`,
        `${partnerId},joint-research,Backwards,,,2025-01-01,2024-01-01,,,`,
        `${partnerId},picnic,Bad type,,,,,,maybe,-3`,
      ].join('\n'),
      'true',
    );
    expect(res.response.status).toBe(200);
    expect(res.data!.errors.map(({ line, column, code }) => ({ line, column, code }))).toEqual([
      { line: 3, column: 'partnerId', code: 'not_found' },
      { line: 4, column: 'endsOn', code: 'too_small' },
      { line: 5, column: 'type', code: 'invalid_value' },
      { line: 5, column: 'isPublic', code: 'invalid_type' },
      { line: 5, column: 'outputs.studentsInvolved', code: 'too_small' },
    ]);
    expect(res.data).toMatchObject({ rows: 4, validRows: 1, invalidRows: 3 });
  });

  it('refuses 50,000 activities with one bad row near the end: writes nothing, names its line and column', async () => {
    const before = await snapshot();
    const lines = [ACTIVITY_HEADER];
    for (let i = 0; i < 50_000; i++)
      lines.push(
        `${partnerId},joint-research,"Refused research ${i}",,Engineering,2024-04-01,,ongoing,true,1`,
      );
    // Line 49,002 (the header is line 1): after 49 batches went into the transaction.
    lines[49_001] = `${partnerId},joint-research,Refused research bad,,,2024-04-01,,ongoing,true,-1`;
    const res = await importActivities(Buffer.from(lines.join('\r\n')), 'false');
    const problem = expectProblem(res, 422, 'invalid-import', [
      'line 49002, column outputs.studentsInvolved',
    ]);
    expect(problem.detail).toBe('1 of 50000 rows are not valid; nothing was imported');
    expect(await snapshot()).toEqual(before);
    const written = await sql<{ n: string }>`
      select count(*) as n from registry.activity where title_en like 'Refused research %'
    `.execute(ctx.database.db);
    expect(written.rows[0]!.n).toBe('0');
    // Two minutes alone; more on a machine shared with other test runs.
  }, 300_000);

  it('applies 50,000 activities in one transaction: approved as staff records are, one event each, one audit entry', async () => {
    const before = await snapshot();
    const lines = [ACTIVITY_HEADER];
    for (let i = 0; i < 50_000; i++)
      lines.push(
        `${partnerId},joint-research,"Joint research ${i}, Cambridge",東京大学との共同研究${i},Engineering; 工学系研究科,2024-04-01,,ongoing,${i % 2 === 0},${i % 50}`,
      );
    const csv = Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`);
    // Larger than BODY_LIMIT (1 MiB): CSV bodies have their own limit.
    expect(csv.length).toBeGreaterThan(1_048_576);
    const res = await importActivities(csv, 'false');
    expect(res.response.status).toBe(200);
    expect(res.data).toMatchObject({ rows: 50_000, inserted: 50_000, invalidRows: 0 });
    expect(await snapshot()).toEqual({
      ...before,
      outbox: before.outbox + 50_001,
      audit: before.audit + 1,
    });
    const stats = await sql<{ n: string; xids: string; published: string }>`
      select count(*) as n, count(distinct xmin::text) as xids,
             count(*) filter (where published_at is not null) as published
      from registry.activity where partner_id = ${partnerId}
    `.execute(ctx.database.db);
    expect(stats.rows[0]).toEqual({ n: '50000', xids: '1', published: '25000' });
    const last = await ctx.database.db
      .selectFrom('registry.activity')
      .selectAll()
      .where('titleEn', '=', 'Joint research 49999, Cambridge')
      .executeTakeFirstOrThrow();
    expect(last).toMatchObject({
      titleJa: '東京大学との共同研究49999',
      departments: ['Engineering', '工学系研究科'],
      reviewStatus: 'approved',
      reportedBy: 'staff',
      outputs: { papers: [], events: [], studentsInvolved: 49 },
    });
    // Through the API as any other activity.
    const read = await api.GET('/activities/{id}', { params: { path: { id: last.id } } });
    expect(read.data).toMatchObject({
      titleEn: 'Joint research 49999, Cambridge',
      isPublic: false,
    });
  }, 120_000);
});

describe('POST /imports/mobility', () => {
  const MOBILITY_HEADER = 'partnerId,fiscalYear,direction,personType,programme,count';
  const importMobility = (csv: string, dryRun: 'true' | 'false') =>
    api.POST('/imports/{kind}', {
      params: { path: { kind: 'mobility' }, query: { dryRun } },
      body: unchecked(csv),
      bodySerializer: (body: unknown) => body as string,
      headers: { 'content-type': 'text/csv' },
    });

  it('compares programmes as the cell index does: another case is the same cell', async () => {
    const { id: partnerId } = await make.partner({ nameEn: 'Seoul National University' });
    await make.mobility(partnerId, { fiscalYear: 2024, programme: 'USTEP' });
    const file = [
      MOBILITY_HEADER,
      `${partnerId},2024,inbound,graduate,Ustep,4`,
      `${partnerId},2024,inbound,graduate,Summer School,2`,
      `${partnerId},2024,inbound,graduate,SUMMER SCHOOL,3`,
      `${partnerId},2024,outbound,graduate,ustep,5`,
    ].join('\n');
    const dry = await importMobility(file, 'true');
    expect(dry.response.status).toBe(200);
    expect(dry.data!.errors.map(({ line, column, code }) => ({ line, column, code }))).toEqual([
      { line: 2, column: 'programme', code: 'duplicate' },
      { line: 4, column: 'programme', code: 'duplicate' },
    ]);
    expect(dry.data!.errors[1]!.message).toContain('repeats line 3');
    // Applying the file is refused the same way, on its lines, and writes nothing.
    const applied = await importMobility(file, 'false');
    expectProblem(applied, 422, 'invalid-import', [
      'line 2, column programme',
      'line 4, column programme',
    ]);
    const rows = await ctx.database.db
      .selectFrom('registry.mobilityRecord')
      .select('programme')
      .where('partnerId', '=', partnerId)
      .execute();
    expect(rows).toEqual([{ programme: 'USTEP' }]);
  });
});
