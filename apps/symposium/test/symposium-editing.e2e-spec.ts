import type { SymposiumClient } from '@sp/client';
import { expectProblem, staffToken, symposiumClient, unchecked, useTestApp } from '@sp/testing';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description);

let staff: SymposiumClient;
let viewer: SymposiumClient;
let anonymous: SymposiumClient;
beforeAll(async () => {
  staff = symposiumClient(ctx, await staffToken('staff'));
  viewer = symposiumClient(ctx, await staffToken('viewer'));
  anonymous = symposiumClient(ctx);
});

let day = 0;
/** A unique day far ahead, so symposiums of this file never share one. */
const nextDay = () =>
  new Date(Date.UTC(2090, 0, 1) + day++ * 86_400_000).toISOString().slice(0, 10);

const create = async (body: Record<string, unknown> = {}) => {
  const res = await staff.POST('/symposiums', {
    body: { title: { en: `Symposium ${day}` }, heldOn: nextDay(), ...body } as never,
  });
  expect(res.response.status).toBe(201);
  return res.data!;
};

const setStatus = (id: string, status: string, ifMatch: string) =>
  staff.PUT('/symposiums/{id}/status', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
    body: { status } as never,
  });

const outboxOf = (id: string) =>
  ctx.database.db
    .selectFrom('symposium.outbox')
    .select(['name', 'topic', 'payload'])
    .where(sql<boolean>`payload->>'id' = ${id}`)
    .orderBy('createdAt')
    .execute();

describe('bilingual texts', () => {
  it('serves a Japanese-only title to an English reader marked as a fallback, with Content-Language', async () => {
    const created = await create({
      title: { ja: '第七回東京大学戦略的パートナーシップ・シンポジウム' },
      description: { en: 'Partners present their joint work.', ja: null },
    });
    await setStatus(created.id, 'announced', `"${created.version}"`);
    const read = await anonymous.GET('/symposiums/{id}', {
      params: { path: { id: created.id } },
      headers: { 'Accept-Language': 'en-GB,en;q=0.9' },
    });
    expect(read.response.status).toBe(200);
    expect(read.data!.title).toEqual({
      text: '第七回東京大学戦略的パートナーシップ・シンポジウム',
      lang: 'ja',
      fallback: true,
    });
    expect(read.data!.description).toEqual({
      text: 'Partners present their joint work.',
      lang: 'en',
      fallback: false,
    });
    // English asked for and served, Japanese served where English was missing.
    expect(read.response.headers.get('content-language')).toBe('en, ja');
    expect(read.response.headers.get('vary')).toMatch(/accept-language/i);

    // ?lang= wins over the header; the Japanese reader gets the description as a fallback.
    const ja = await anonymous.GET('/symposiums/{id}', {
      params: { path: { id: created.id }, query: { lang: 'ja' } },
      headers: { 'Accept-Language': 'en' },
    });
    expect(ja.data!.title).toMatchObject({ lang: 'ja', fallback: false });
    expect(ja.data!.description).toMatchObject({ lang: 'en', fallback: true });
    expect(ja.response.headers.get('content-language')).toBe('ja, en');

    // Only the title, only Japanese: the answer is in Japanese, and says so.
    const titleOnly = await create({ title: { ja: '日本語のみ' } });
    await setStatus(titleOnly.id, 'announced', `"${titleOnly.version}"`);
    const en = await anonymous.GET('/symposiums/{id}', {
      params: { path: { id: titleOnly.id } },
      headers: { 'Accept-Language': 'en' },
    });
    expect(en.data!.title).toEqual({ text: '日本語のみ', lang: 'ja', fallback: true });
    expect(en.response.headers.get('content-language')).toBe('ja');
  });

  it('gives staff both languages as stored, and merges a change language by language', async () => {
    const created = await create({ title: { en: 'Eighth Symposium', ja: '第八回' } });
    expect(created.title).toEqual({ en: 'Eighth Symposium', ja: '第八回' });
    expect(created.timeZone).toBe('Asia/Tokyo');
    const patched = await staff.PATCH('/symposiums/{id}', {
      params: { path: { id: created.id }, header: { 'If-Match': `"${created.version}"` } },
      body: { title: { ja: null }, venue: { en: 'Yasuda Auditorium', ja: '安田講堂' } },
    });
    expect(patched.response.status).toBe(200);
    expect(patched.data!.title).toEqual({ en: 'Eighth Symposium', ja: null });
    expect(patched.data!.venue).toEqual({ en: 'Yasuda Auditorium', ja: '安田講堂' });
    const record = await viewer.GET('/symposiums/{id}/record', {
      params: { path: { id: created.id } },
    });
    expect(record.data!.title).toEqual({ en: 'Eighth Symposium', ja: null });
    expect(record.response.headers.get('etag')).toBe(`"${created.version + 1}"`);

    // Removing the last language of a title is refused, naming it; nothing changes.
    const emptied = await staff.PATCH('/symposiums/{id}', {
      params: { path: { id: created.id }, header: { 'If-Match': '*' } },
      body: { title: { en: null } },
    });
    expectProblem(emptied, 400, 'validation-error', ['body:title']);
    const row = await ctx.database.db
      .selectFrom('symposium.symposium')
      .select(['titleEn', 'version'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ titleEn: 'Eighth Symposium', version: String(created.version + 1) });
  });

  it('refuses a title with neither language, and names each bad field', async () => {
    const res = await staff.POST('/symposiums', {
      body: unchecked({
        title: {},
        heldOn: '2090-13-01',
        campus: 'shibuya',
        startsAt: '25:00',
        timeZone: 'Mars/Olympus',
      }),
    });
    expectProblem(res, 400, 'validation-error', [
      'body:title',
      'body:heldOn',
      'body:campus',
      'body:startsAt',
      'body:timeZone',
    ]);
  });
});

describe('symposium status', () => {
  it('moves one guarded step at a time; an illegal one is a 409 naming the allowed next statuses, nothing written', async () => {
    const created = await create();
    expect(created.status).toBe('planned');
    expect(created.nextStatuses).toEqual(['announced']);
    const illegal = await setStatus(created.id, 'held', `"${created.version}"`);
    const problem = expectProblem(illegal, 409, 'invalid-status-transition', ['body:status']);
    expect(problem.detail).toContain('allowed next: announced');
    expect(problem).toMatchObject({ allowedNextStatuses: 'announced', currentStatus: 'planned' });
    const unchanged = await ctx.database.db
      .selectFrom('symposium.symposium')
      .select(['status', 'version'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(unchanged).toEqual({ status: 'planned', version: String(created.version) });
    expect((await outboxOf(created.id)).map((m) => m.name)).toEqual(['symposium.created']);

    let version = created.version;
    for (const status of [
      'announced',
      'registration-open',
      'registration-closed',
      'registration-open',
      'registration-closed',
      'held',
      'report-published',
    ]) {
      const moved = await setStatus(created.id, status, `"${version}"`);
      expect(moved.response.status).toBe(200);
      expect(moved.data!.status).toBe(status);
      version = moved.data!.version;
    }
    const final = await setStatus(created.id, 'held', `"${version}"`);
    expect(expectProblem(final, 409, 'invalid-status-transition').detail).toContain('final');

    const events = await outboxOf(created.id);
    expect(events.map((m) => m.name)).toEqual([
      'symposium.created',
      ...Array<string>(7).fill('symposium.status-changed'),
    ]);
    expect(events.every((m) => m.topic === 'symposium-events')).toBe(true);
    expect(events[1]!.payload).toMatchObject({ status: 'announced', previousStatus: 'planned' });
    const audit = await ctx.database.db
      .selectFrom('symposium.auditLog')
      .select('action')
      .where('entityId', '=', created.id)
      .execute();
    expect(audit.filter((a) => a.action === 'update-status')).toHaveLength(7);
  });

  it('needs If-Match (428) and refuses a stale one (412)', async () => {
    const created = await create();
    const missing = await staff.PUT('/symposiums/{id}/status', {
      params: { path: { id: created.id } } as never,
      body: { status: 'announced' },
    });
    expectProblem(missing, 428, 'precondition-required');
    expect((await setStatus(created.id, 'announced', `"${created.version}"`)).response.status).toBe(
      200,
    );
    const stale = await staff.PATCH('/symposiums/{id}', {
      params: { path: { id: created.id }, header: { 'If-Match': `"${created.version}"` } },
      body: { expectedAttendance: 120 },
    });
    expectProblem(stale, 412, 'precondition-failed');
  });

  it('keeps a planned symposium from the public, not from staff', async () => {
    const created = await create({ title: { en: 'Still secret' } });
    const get = (api: SymposiumClient) =>
      api.GET('/symposiums/{id}', { params: { path: { id: created.id } } });
    expectProblem(await get(anonymous), 404, 'not-found');
    expect((await get(viewer)).response.status).toBe(200);
    const publicList = await anonymous.GET('/symposiums');
    expect(publicList.data!.items.map((s) => s.id)).not.toContain(created.id);
  });

  it('refuses a second symposium of one edition or one day with a 409 naming the field', async () => {
    const first = await create({ edition: 40 });
    const again = await staff.POST('/symposiums', {
      body: { title: { en: 'Again' }, heldOn: nextDay(), edition: 40 },
    });
    expectProblem(again, 409, 'conflict', ['body:edition']);
    const sameDay = await staff.POST('/symposiums', {
      body: { title: { en: 'Same day' }, heldOn: first.heldOn },
    });
    expectProblem(sameDay, 409, 'conflict', ['body:heldOn']);
    const times = await staff.POST('/symposiums', {
      body: { title: { en: 'Backwards' }, heldOn: nextDay(), startsAt: '17:00', endsAt: '09:00' },
    });
    expectProblem(times, 400, 'validation-error', ['body:endsAt']);
  });
});
