import { randomUUID } from 'node:crypto';
import type { RegistryClient } from '@sp/client';
import {
  type ActivityBody,
  expectProblem,
  factories,
  registryClient,
  staffToken,
  type TestApiClient,
  unchecked,
  useTestApp,
} from '@sp/testing';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let staff: RegistryClient;
let viewer: RegistryClient;
let partnerA: { id: string; nameEn: string };
let partnerB: { id: string; nameEn: string };
let clientA: TestApiClient;
let clientB: TestApiClient;
let readerA: TestApiClient;

beforeAll(async () => {
  staff = registryClient(ctx, await staffToken('staff'));
  viewer = registryClient(ctx, await staffToken('viewer'));
  partnerA = await make.partner({ nameEn: 'Seoul National University', country: 'KR' });
  partnerB = await make.partner({ nameEn: 'Australian National University', country: 'AU' });
  clientA = await make.apiClient(partnerA.id, { scopes: ['registry:read', 'activities:write'] });
  clientB = await make.apiClient(partnerB.id, { scopes: ['registry:read', 'activities:write'] });
  readerA = await make.apiClient(partnerA.id, { scopes: ['registry:read'] });
});

const nextCursor = (page: { nextCursor: unknown }) => page.nextCursor as string | null;

const events = async (id: string) =>
  (
    await ctx.database.db
      .selectFrom('registry.outbox')
      .select(['name', 'topic', 'payload'])
      .where(sql<boolean>`payload->>'id' = ${id}`)
      // Each change raises the version its event carries: the order of the changes.
      .orderBy(sql`(payload->>'version')::int`)
      .execute()
  ).map((r) => r.name);

const auditActions = async (id: string) =>
  (
    await ctx.database.db
      .selectFrom('registry.auditLog')
      .select(['action', 'actorKind'])
      .where('entity', '=', 'activity')
      .where('entityId', '=', id)
      .orderBy('id')
      .execute()
  ).map((r) => `${r.actorKind}:${r.action}`);

const patch = (api: RegistryClient, id: string, body: unknown, ifMatch = '*') =>
  api.PATCH('/activities/{id}', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
    body: unchecked(body),
  });
const submit = (api: RegistryClient, id: string, ifMatch = '*') =>
  api.POST('/activities/{id}/submit', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
  });
const approve = (id: string, comment?: string, ifMatch = '*') =>
  staff.POST('/activities/{id}/approve', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
    body: comment === undefined ? {} : { comment },
  });
const giveBack = (id: string, body: unknown, ifMatch = '*') =>
  staff.POST('/activities/{id}/return', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
    body: unchecked(body),
  });
const publicIds = async () =>
  (
    (await fetch(`${ctx.running.url}/public/activities?limit=50`).then((r) => r.json())) as {
      items: { id: string }[];
    }
  ).items.map((a) => a.id);

describe('POST /activities (staff)', () => {
  it('records an activity, approved as written, with its audit row and event', async () => {
    const res = await staff.POST('/activities', {
      body: {
        partnerId: partnerA.id,
        type: 'joint-symposium',
        titleEn: 'UTokyo–SNU Joint Symposium on Climate',
        titleJa: '東京大学・ソウル大学校 気候合同シンポジウム',
        summaryEn: 'Two days on climate adaptation.',
        departments: ['Graduate School of Engineering'],
        leads: ['Prof. Tanaka'],
        startsOn: '2025-10-01',
        endsOn: '2025-10-02',
        status: 'completed',
        isPublic: true,
        links: [{ label: 'Programme', url: 'https://example.ac.kr/climate' }],
        outputs: {
          papers: [{ title: 'Adaptation in East Asia', year: 2026 }],
          events: [{ title: 'Symposium', date: '2025-10-01' }],
          studentsInvolved: 12,
        },
      },
    });
    expect(res.response.status).toBe(201);
    const a = res.data!;
    expect(a).toMatchObject({
      partnerId: partnerA.id,
      partnerNameEn: 'Seoul National University',
      reviewStatus: 'approved',
      reportedBy: 'staff',
      isPublic: true,
      version: 1,
      outputs: {
        papers: [{ title: 'Adaptation in East Asia', year: 2026, url: null }],
        events: [{ title: 'Symposium', date: '2025-10-01', url: null }],
        studentsInvolved: 12,
      },
    });
    expect(a.publishedAt).toEqual(expect.any(String));
    expect(res.response.headers.get('etag')).toBe('"1"');
    expect(res.response.headers.get('location')).toBe(`/activities/${a.id}`);
    expect(await events(a.id)).toEqual(['activity.created']);
    expect(await auditActions(a.id)).toEqual(['staff:create']);
    expect(await publicIds()).toContain(a.id);
  });

  it('names every bad field, and writes nothing', async () => {
    const before = await ctx.database.db
      .selectFrom('registry.activity')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const res = await staff.POST('/activities', {
      body: unchecked({
        partnerId: 'not-a-uuid',
        type: 'picnic',
        titleEn: '',
        links: [{ label: 'x', url: 'ftp://example.org' }],
        outputs: { studentsInvolved: -1 },
      }),
    });
    expectProblem(res, 400, 'validation-error', [
      'partnerId',
      'type',
      'titleEn',
      'links.0.url',
      'outputs.studentsInvolved',
    ]);
    const ends = await staff.POST('/activities', {
      body: {
        partnerId: partnerA.id,
        type: 'other',
        titleEn: 'Backwards',
        startsOn: '2025-05-02',
        endsOn: '2025-05-01',
      } as never,
    });
    expectProblem(ends, 400, 'validation-error', ['endsOn']);
    const noPartner = await staff.POST('/activities', {
      body: { type: 'other', titleEn: 'Whose?' } as never,
    });
    expectProblem(noPartner, 400, 'validation-error', ['partnerId']);
    const unknown = await staff.POST('/activities', {
      body: { partnerId: randomUUID(), type: 'other', titleEn: 'Nobody’s' } as never,
    });
    expectProblem(unknown, 400, 'validation-error', ['partnerId']);
    const after = await ctx.database.db
      .selectFrom('registry.activity')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);
  });

  it('is refused to viewers and to partner clients without activities:write', async () => {
    const body = { type: 'other' as const, titleEn: 'Not allowed' } as never;
    expectProblem(await viewer.POST('/activities', { body }), 403, 'forbidden');
    expectProblem(await readerA.registry.POST('/activities', { body }), 403, 'forbidden');
  });
});

describe('GET /activities', () => {
  it('pages newest first and filters', async () => {
    const partner = await make.partner();
    const made: ActivityBody[] = [];
    for (const type of ['joint-research', 'education-programme', 'joint-research'] as const)
      made.push(await make.activity(partner.id, { type }));
    const first = await viewer.GET('/activities', {
      params: { query: { partnerId: [partner.id] as never, limit: 2 } },
    });
    expect(first.response.status).toBe(200);
    expect(first.data!.items.map((a) => a.id)).toEqual([made[2]!.id, made[1]!.id]);
    const second = await viewer.GET('/activities', {
      params: {
        query: { partnerId: [partner.id] as never, limit: 2, cursor: nextCursor(first.data!)! },
      },
    });
    expect(second.data!.items.map((a) => a.id)).toEqual([made[0]!.id]);
    expect(nextCursor(second.data!)).toBeNull();
    const research = await viewer.GET('/activities', {
      params: { query: { partnerId: [partner.id] as never, type: ['joint-research'] as never } },
    });
    expect(research.data!.items.map((a) => a.id)).toEqual([made[2]!.id, made[0]!.id]);
  });

  it('names a bad filter and a forged cursor', async () => {
    const res = await viewer.GET('/activities', {
      params: { query: unchecked({ type: 'picnic', isPublic: 'maybe' }) },
    });
    expectProblem(res, 400, 'validation-error', ['type.0', 'isPublic']);
    const forged = await viewer.GET('/activities', { params: { query: { cursor: 'abc' } } });
    expectProblem(forged, 400, 'validation-error', ['cursor']);
  });
});

describe('GET /activities/:id', () => {
  it('answers with its ETag, 404 for an unknown one, 400 for a bad id', async () => {
    const a = await make.activity(partnerA.id);
    const res = await viewer.GET('/activities/{id}', { params: { path: { id: a.id } } });
    expect(res.response.status).toBe(200);
    expect(res.response.headers.get('etag')).toBe(`"${a.version}"`);
    expectProblem(
      await viewer.GET('/activities/{id}', { params: { path: { id: randomUUID() } } }),
      404,
      'not-found',
    );
    expectProblem(
      await viewer.GET('/activities/{id}', { params: { path: { id: 'nope' } } }),
      400,
      'validation-error',
      ['id'],
    );
  });
});

describe('PATCH /activities/:id', () => {
  it('changes fields with the ETag read; 428 without, 412 when stale; nothing else written', async () => {
    const a = await make.activity(partnerA.id, { titleEn: 'Before' });
    const missing = await staff.PATCH('/activities/{id}', {
      params: { path: { id: a.id } } as never,
      body: { titleEn: 'No header' },
    });
    expectProblem(missing, 428, 'precondition-required');
    const ok = await patch(staff, a.id, { titleEn: 'After', leads: ['Dr. Kim'] }, `"${a.version}"`);
    expect(ok.response.status).toBe(200);
    expect(ok.data).toMatchObject({ titleEn: 'After', leads: ['Dr. Kim'], version: 2 });
    expect(ok.response.headers.get('etag')).toBe('"2"');
    const stale = await patch(staff, a.id, { titleEn: 'Lost update' }, `"${a.version}"`);
    expectProblem(stale, 412, 'precondition-failed');
    const row = await ctx.database.db
      .selectFrom('registry.activity')
      .select(['titleEn', 'version'])
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ titleEn: 'After', version: '2' });
    expect(await events(a.id)).toEqual(['activity.created', 'activity.updated']);
  });

  it('names bad fields, checks the period against the stored dates, 404 for an unknown one', async () => {
    const a = await make.activity(partnerA.id, { startsOn: '2025-04-01' });
    expectProblem(await patch(staff, a.id, {}), 400, 'validation-error');
    expectProblem(
      await patch(staff, a.id, { status: 'paused', partnerId: partnerB.id }),
      400,
      'validation-error',
      ['status', 'partnerId'],
    );
    expectProblem(await patch(staff, a.id, { endsOn: '2025-03-31' }), 400, 'validation-error', [
      'endsOn',
    ]);
    expectProblem(await patch(staff, randomUUID(), { titleEn: 'x' }), 404, 'not-found');
  });

  it('unpublishes an activity whose public flag is cleared', async () => {
    const a = await make.activity(partnerA.id, { isPublic: true });
    expect(await publicIds()).toContain(a.id);
    const res = await patch(staff, a.id, { isPublic: false });
    expect(res.data!.publishedAt).toBeNull();
    expect(await publicIds()).not.toContain(a.id);
  });
});

describe('a partner reports its own activities, staff review them', () => {
  it('goes draft → submitted → returned (with a comment) → resubmitted → approved, public only then', async () => {
    const created = await clientA.registry.POST('/activities', {
      body: {
        type: 'education-programme',
        titleEn: 'SNU–UTokyo Summer School',
        isPublic: true,
      } as never,
    });
    expect(created.response.status).toBe(201);
    const a = created.data!;
    expect(a).toMatchObject({
      partnerId: partnerA.id,
      reviewStatus: 'draft',
      reportedBy: 'partner',
      publishedAt: null,
    });
    expect(await publicIds()).not.toContain(a.id);

    // Staff may not approve a draft.
    expectProblem(await approve(a.id), 409, 'invalid-status-transition');

    const submitted = await submit(clientA.registry, a.id, `"${a.version}"`);
    expect(submitted.response.status).toBe(200);
    expect(submitted.data).toMatchObject({ reviewStatus: 'submitted' });
    expect(submitted.data!.submittedAt).toEqual(expect.any(String));
    // Under review: the partner may not change it, nor submit it twice.
    expectProblem(
      await patch(clientA.registry, a.id, { titleEn: 'Sneaky' }),
      409,
      'invalid-status-transition',
    );
    expectProblem(await submit(clientA.registry, a.id), 409, 'invalid-status-transition');
    // A return needs a comment.
    expectProblem(await giveBack(a.id, {}), 400, 'validation-error', ['comment']);

    const returned = await giveBack(
      a.id,
      { comment: 'Please add the dates.' },
      `"${submitted.data!.version}"`,
    );
    expect(returned.data).toMatchObject({
      reviewStatus: 'returned',
      reviewComment: 'Please add the dates.',
    });
    expect(await publicIds()).not.toContain(a.id);

    // The partner reads the comment, corrects and resubmits.
    const read = await clientA.registry.GET('/activities/{id}', { params: { path: { id: a.id } } });
    expect(read.data).toMatchObject({
      reviewStatus: 'returned',
      reviewComment: 'Please add the dates.',
    });
    const fixed = await patch(
      clientA.registry,
      a.id,
      { startsOn: '2026-07-01', endsOn: '2026-07-14' },
      read.response.headers.get('etag')!,
    );
    expect(fixed.data).toMatchObject({ reviewStatus: 'returned', startsOn: '2026-07-01' });
    expect((await submit(clientA.registry, a.id)).data!.reviewStatus).toBe('submitted');

    const approved = await approve(a.id, 'Thank you');
    expect(approved.data).toMatchObject({ reviewStatus: 'approved', reviewComment: 'Thank you' });
    expect(approved.data!.publishedAt).toEqual(expect.any(String));
    expect(await publicIds()).toContain(a.id);

    // A partner's change to an approved activity needs review again: off the public page.
    const changed = await patch(clientA.registry, a.id, { summaryEn: 'Now with a summary' });
    expect(changed.data).toMatchObject({ reviewStatus: 'draft', publishedAt: null });
    expect(await publicIds()).not.toContain(a.id);

    expect(await events(a.id)).toEqual([
      'activity.created',
      'activity.submitted',
      'activity.returned',
      'activity.updated',
      'activity.submitted',
      'activity.approved',
      'activity.updated',
    ]);
    expect(await auditActions(a.id)).toEqual([
      'partner:create',
      'partner:submit',
      'staff:return',
      'partner:update',
      'partner:submit',
      'staff:approve',
      'partner:update',
    ]);
  });

  it('keeps each partner to its own: 404 on another partner’s activity, only its own listed', async () => {
    const ofA = await make.activity(partnerA.id);
    const ofB = await make.activity(partnerB.id);
    expectProblem(
      await clientB.registry.GET('/activities/{id}', { params: { path: { id: ofA.id } } }),
      404,
      'not-found',
    );
    expectProblem(await patch(clientB.registry, ofA.id, { titleEn: 'Mine now' }), 404, 'not-found');
    expectProblem(await submit(clientB.registry, ofA.id), 404, 'not-found');
    const list = await clientB.registry.GET('/activities', { params: { query: { limit: 200 } } });
    const ids = list.data!.items.map((x) => x.id);
    expect(ids).toContain(ofB.id);
    expect(list.data!.items.every((x) => x.partnerId === partnerB.id)).toBe(true);
    // Reporting for another partner is refused, naming the field.
    const forOther = await clientB.registry.POST('/activities', {
      body: { partnerId: partnerA.id, type: 'other', titleEn: 'For A' } as never,
    });
    expectProblem(forOther, 400, 'validation-error', ['partnerId']);
    // Partners cannot review.
    expectProblem(
      await clientA.registry.POST('/activities/{id}/approve', {
        params: { path: { id: ofA.id }, header: { 'If-Match': '*' } },
        body: {},
      }),
      403,
      'forbidden',
    );
  });

  it('refuses a stale or missing If-Match on review actions', async () => {
    const created = await clientA.registry.POST('/activities', {
      body: { type: 'other', titleEn: 'Versioned' } as never,
    });
    const a = created.data!;
    const missing = await clientA.registry.POST('/activities/{id}/submit', {
      params: { path: { id: a.id } } as never,
    });
    expectProblem(missing, 428, 'precondition-required');
    expectProblem(await submit(clientA.registry, a.id, '"99"'), 412, 'precondition-failed');
    const s = await submit(clientA.registry, a.id, `"${a.version}"`);
    expectProblem(await approve(a.id, undefined, `"${a.version}"`), 412, 'precondition-failed');
    expect((await approve(a.id, undefined, `"${s.data!.version}"`)).response.status).toBe(200);
    expectProblem(await approve(randomUUID()), 404, 'not-found');
  });
});
