import { createHash } from 'node:crypto';
import type { WorkerSchemas } from '@sp/client';
import { staffToken, useTestAppWithPartners, waitFor, workerClient } from '@sp/testing';
import type { ReportRun } from '@sp/types';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';
import { reportData } from './reports/report-data';
import { pdfText, readXlsx } from './reports/report-files';

/**
 * The reports API end to end with the real kinds (the app's own `REPORT_KINDS`) and the real
 * writers, over HTTP through the generated client, on data this file writes into the services'
 * base tables: a partner fetches its own profile as PDF, another partner finds nothing of it,
 * and staff build the fiscal-year report as XLSX whose figures match SQL.
 */
const PARTNER_A = '0a000000-0000-4000-8000-00000000000a';
const PARTNER_B = '0b000000-0000-4000-8000-00000000000b';
const A_NAME_JA = 'チューリッヒ工科大学';
/** A fiscal year no other test's data touches. */
const FISCAL_YEAR = 2031;

const { app: ctx, tokens } = useTestAppWithPartners(appModule, description, {
  scopes: { partnerA: ['reports:read'], partnerB: ['reports:read'] },
});

let data: ReturnType<typeof reportData>;
beforeAll(async () => {
  data = reportData(ctx.database.db);
  await data.partner({
    id: PARTNER_A,
    nameEn: `ETH Zurich ${data.tag}`,
    nameJa: A_NAME_JA,
    coordinatorName: 'Coordinator Yamada',
    coordinatorEmail: 'yamada@u-tokyo.example',
  });
  await data.partner({ id: PARTNER_B, nameEn: `Partner B ${data.tag}`, nameJa: '東京大学' });
  for (const [partnerId, n] of [
    [PARTNER_A, 4],
    [PARTNER_B, 2],
  ] as const) {
    for (let i = 0; i < n; i++)
      await data.activity(partnerId, { startsOn: `${FISCAL_YEAR}-0${4 + i}-15` });
    await data.mobility(partnerId, { fiscalYear: FISCAL_YEAR, count: 10 + n });
    await data.mobility(partnerId, {
      fiscalYear: FISCAL_YEAR,
      direction: 'outbound',
      personType: 'graduate',
      count: n,
    });
    await data.funding(partnerId, {
      fiscalYear: FISCAL_YEAR,
      currency: 'EUR',
      amount: '1000.25',
      status: 'awarded',
    });
  }
  await data.contact(PARTNER_A, { nameEn: 'Anna Meier', nameJa: 'アンナ・マイヤー' });
  await data.facultyLead(PARTNER_A, { nameEn: 'Lead Tanaka', email: 'tanaka@u-tokyo.example' });
  await data.agreement(PARTNER_A, { signedOn: `${FISCAL_YEAR}-05-01`, signedOnPrecision: 'day' });
});

type RequestBody = WorkerSchemas['schemas']['ReportRequestDto'];
const api = (token: string) => workerClient(ctx, token);
const ask = async (token: string, body: RequestBody) => {
  const r = await api(token).POST('/reports', { body });
  return { status: r.response.status, run: r.data as ReportRun };
};
const getRun = async (id: string, token: string) => {
  const r = await api(token).GET('/reports/{id}', { params: { path: { id } } });
  return { status: r.response.status, run: r.data as ReportRun };
};
const download = (id: string, token: string) =>
  fetch(`${ctx.running.url}/reports/${id}/file`, { headers: { authorization: `Bearer ${token}` } });

/** Polls the run as `token` until it has finished, keeping every state it was seen in. */
async function watch(id: string, token: string): Promise<ReportRun[]> {
  const seen: ReportRun[] = [];
  await waitFor(async () => {
    const { run } = await getRun(id, token);
    seen.push(run);
    return run.state === 'succeeded' || run.state === 'failed';
  }, `run ${id} to finish`);
  return seen;
}

describe('reports with the real kinds', () => {
  it('lets a partner build its own profile as PDF and fetch it; another partner finds nothing of it', async () => {
    const partnerA = tokens().partnerA!;
    const partnerB = tokens().partnerB!;
    const asked = await ask(partnerA, {
      kind: 'partner-profile',
      format: 'pdf',
      params: { partnerId: PARTNER_A },
    });
    expect(asked.status).toBe(202);
    const seen = await watch(asked.run.id, partnerA);
    const done = seen.at(-1)!;
    expect(done).toMatchObject({ state: 'succeeded', percent: 100 });
    expect(done.rowsWritten).toBeGreaterThan(0);
    expect(done.rowsEstimated).toBeGreaterThan(0);
    // Progress as the partner saw it: never falling, ending at 100.
    const percents = seen.map((r) => r.percent);
    expect(percents).toEqual([...percents].sort((x, y) => x - y));

    const file = await download(done.id, partnerA);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toMatch(
      /^attachment; filename="partner-profile-0a000000[^"]*\.pdf"/,
    );
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(done.file).toMatchObject({
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const text = (await pdfText(bytes)).join('\n');
    expect(text).toContain(A_NAME_JA);
    expect(text).toContain('アンナ・マイヤー');
    expect(text).toContain('Contacts at the partner');
    expect(text).not.toContain('東京大学');
    // UTokyo's people are for staff only, as in the registry's answers to a partner token.
    expect(text).not.toMatch(/Yamada|Lead Tanaka|tanaka@|UTokyo coordinator|faculty leads/);

    // Staff asking for the same report get a run of their own, with those people in it; the
    // partner finds neither that run nor its file.
    const staff = await staffToken('staff');
    const staffRun = (
      await ask(staff, { kind: 'partner-profile', format: 'pdf', params: { partnerId: PARTNER_A } })
    ).run;
    expect(staffRun.id).not.toBe(done.id);
    expect((await watch(staffRun.id, staff)).at(-1)!.state).toBe('succeeded');
    const staffText = (
      await pdfText(Buffer.from(await (await download(staffRun.id, staff)).arrayBuffer()))
    ).join('\n');
    expect(staffText).toContain('Coordinator Yamada');
    expect(staffText).toContain('Lead Tanaka');
    expect((await getRun(staffRun.id, partnerA)).status).toBe(404);
    expect((await download(staffRun.id, partnerA)).status).toBe(404);

    // Partner B: neither the run nor its file exists, nor may it ask for A's profile.
    expect((await getRun(done.id, partnerB)).status).toBe(404);
    const other = await download(done.id, partnerB);
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(
      (
        await ask(partnerB, {
          kind: 'partner-profile',
          format: 'pdf',
          params: { partnerId: PARTNER_A },
        })
      ).status,
    ).toBe(404);
  });

  it('builds the fiscal-year report as XLSX for staff, its figures as SQL has them', async () => {
    const staff = await staffToken('staff');
    const asked = await ask(staff, {
      kind: 'fiscal-year',
      format: 'xlsx',
      params: { fiscalYear: FISCAL_YEAR },
    });
    expect(asked.status).toBe(202);
    const done = (await watch(asked.run.id, staff)).at(-1)!;
    expect(done.state).toBe('succeeded');
    const file = await download(done.id, staff);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(done.file?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));

    const book = readXlsx(bytes);
    const expected = await sql<{ id: string; activities: number; mobility: number }>`
      select p.id,
             (select count(*)::int from registry.activity a
               where a.partner_id = p.id and a.review_status = 'approved' and a.status <> 'cancelled'
                 and a.starts_on <= ${`${FISCAL_YEAR + 1}-03-31`} and coalesce(a.ends_on, a.starts_on) >= ${`${FISCAL_YEAR}-04-01`}) as activities,
             (select coalesce(sum(m.count), 0)::int from registry.mobility_record m
               where m.partner_id = p.id and m.review_status = 'approved' and m.fiscal_year = ${FISCAL_YEAR}) as mobility
        from registry.partner p where p.id in (${PARTNER_A}, ${PARTNER_B})`.execute(
      ctx.database.db,
    );
    const partners = book.records('partners');
    for (const e of expected.rows) {
      const nameEn = e.id === PARTNER_A ? `ETH Zurich ${data.tag}` : `Partner B ${data.tag}`;
      const row = partners.find((r) => r['Partner'] === nameEn);
      expect(row).toMatchObject({ Activities: e.activities, 'Mobility total': e.mobility });
    }
    expect(partners.find((r) => r['Partner (日本語)'] === A_NAME_JA)?.['Activities']).toBe(4);
    const funding = await sql<{ awarded: string }>`
      select sum(amount)::text as awarded from registry.funding
       where fiscal_year = ${FISCAL_YEAR} and status = 'awarded' and currency = 'EUR'`.execute(
      ctx.database.db,
    );
    const eur = book.records('programme-funding').find((r) => r['Currency'] === 'EUR');
    expect(eur?.['Awarded']).toBe(Number(funding.rows[0]!.awarded));
    expect(eur?.['Awarded']).toBe(2000.5);
  });
});
