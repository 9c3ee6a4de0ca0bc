import { randomUUID } from 'node:crypto';
import type { RegistryClient } from '@sp/client';
import {
  expectProblem,
  factories,
  type PartnerDetailBody,
  rawBody,
  registryClient,
  staffToken,
  unchecked,
  useTestApp,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let api: RegistryClient;
beforeAll(async () => {
  api = registryClient(ctx, await staffToken('staff'));
});

/**
 * The page's cursor. The document types it `string[]` (nestjs-zod#473: a bare nullable field of
 * a DTO becomes an array), while the service sends a string or null.
 */
const nextCursor = (page: { nextCursor: unknown }) => page.nextCursor as string | null;

const partnerCount = async () =>
  Number(
    (
      await ctx.database.db
        .selectFrom('registry.partner')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Partners of every status in four countries (the GET tests' data). */
let trio: PartnerDetailBody;
beforeAll(async () => {
  trio = await make.partner({
    nameEn: 'Stockholm Trio',
    country: 'SE',
    status: 'primary',
    memberInstitutions: [
      'Stockholm University',
      'KTH Royal Institute of Technology',
      'Karolinska Institutet',
    ],
  });
  await make.partner({ nameEn: 'Tsinghua University', country: 'CN', status: 'primary' });
  await make.partner({ nameEn: 'Peking University', country: 'CN', status: 'primary' });
  await make.partner({ nameEn: 'Fudan University', country: 'CN', status: 'ended' });
  await make.partner({ nameEn: 'Vietnam National University, Hanoi', country: 'VN' });
  await make.partner({ nameEn: 'ETH Zurich', country: 'CH', status: 'primary' });
  await make.partner({ nameEn: 'Princeton University', country: 'US', status: 'strategic' });
});

describe('GET /partners', () => {
  it('lists the partners by English name', async () => {
    const res = await api.GET('/partners');
    expect(res.response.status).toBe(200);
    const names = res.data!.items.map((p) => p.nameEn);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(names).toEqual(
      expect.arrayContaining(['Princeton University', 'Stockholm Trio', 'ETH Zurich']),
    );
    expect(nextCursor(res.data!)).toBeNull();
    expect(res.data!.items.find((p) => p.nameEn === 'Stockholm Trio')).toMatchObject({
      id: trio.id,
      country: 'SE',
      status: 'primary',
      memberInstitutions: [
        'Stockholm University',
        'KTH Royal Institute of Technology',
        'Karolinska Institutet',
      ],
    });
  });

  it('filters by status and country, as a list or a repeated key', async () => {
    const primary = await api.GET('/partners', {
      params: { query: { status: ['primary'], limit: 200 } },
    });
    const primaryRows = await ctx.database.db
      .selectFrom('registry.partner')
      .select('id')
      .where('status', '=', 'primary')
      .execute();
    expect(primary.data!.items).toHaveLength(primaryRows.length);
    expect(primary.data!.items.every((p) => p.status === 'primary')).toBe(true);

    const china = await api.GET('/partners', { params: { query: { country: ['cn'] } } });
    expect(china.data!.items.map((p) => p.nameEn)).toEqual([
      'Fudan University',
      'Peking University',
      'Tsinghua University',
    ]);

    // `country=CN&country=VN&status=prospective,primary`: one key repeated, one a list.
    const both = await api.GET('/partners', {
      params: { query: { country: ['CN', 'VN'] } },
      querySerializer: (query) =>
        `country=${(query['country'] as string[]).join('&country=')}&status=prospective,primary`,
    });
    expect(both.response.url).toMatch(/\?country=CN&country=VN&status=prospective,primary$/);
    expect(both.data!.items.map((p) => p.country).sort()).toEqual(['CN', 'CN', 'VN']);
  });

  it.each(['nameEn', '-nameEn', 'country', '-country', 'createdAt', '-createdAt'] as const)(
    'pages through every partner exactly once with sort=%s',
    async (sort) => {
      const all = (
        await api.GET('/partners', { params: { query: { sort, limit: 200 } } })
      ).data!.items.map((p) => p.id);
      expect(all.length).toBeGreaterThan(4);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: { id: string }[]; nextCursor: unknown } = (
          await api.GET('/partners', {
            params: { query: { sort, limit: 2, ...(cursor ? { cursor } : {}) } },
          })
        ).data!;
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((p) => p.id));
        cursor = nextCursor(page);
      } while (cursor);
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(all.length);
    },
  );

  it('rejects bad query values with a 400 naming each field', async () => {
    const res = await api.GET('/partners', {
      params: { query: unchecked({ limit: 0, status: 'bogus', sort: 'size', colour: 'red' }) },
    });
    expectProblem(res, 400, 'validation-error', [
      'query:colour',
      'query:limit',
      'query:sort',
      'query:status.0',
    ]);
  });

  it('rejects a forged cursor and one made for another sort', async () => {
    const forged = await api.GET('/partners', { params: { query: { cursor: 'not-a-cursor' } } });
    const problem = expectProblem(forged, 400, 'validation-error');
    expect(problem.errors?.[0]).toMatchObject({ in: 'query', field: 'cursor' });

    const first = await api.GET('/partners', { params: { query: { limit: 1, sort: 'country' } } });
    const other = await api.GET('/partners', {
      params: { query: { limit: 1, sort: 'nameEn', cursor: nextCursor(first.data!)! } },
    });
    expect(expectProblem(other, 400, 'validation-error').errors?.[0]?.message).toMatch(
      /sort "country"/,
    );
  });
});

describe('GET /partners/:id', () => {
  it('gives a partner with its agreements and status history', async () => {
    const partner = await make.partner({ country: 'SE', status: 'primary' });
    await make.agreement(partner.id, { signedOn: '2017-09-25', expiresOn: '2099-12-31' });
    await make.agreement(partner.id, { signedOn: '2016' });
    const res = await api.GET('/partners/{id}', { params: { path: { id: partner.id } } });
    expect(res.response.status).toBe(200);
    expect(res.data!.agreements).toEqual([
      expect.objectContaining({ signedOn: '2016', status: 'active', renewals: [] }),
      expect.objectContaining({
        signedOn: '2017-09-25',
        expiresOn: '2099-12-31',
        status: 'active',
      }),
    ]);
    expect(res.data!.statusHistory).toEqual([
      expect.objectContaining({ from: null, to: 'primary', changedOn: partner.statusSince }),
    ]);
  });

  it('answers 404 problem+json for an unknown id', async () => {
    const id = randomUUID();
    const res = await api.GET('/partners/{id}', { params: { path: { id } } });
    const problem = expectProblem(res, 404, 'not-found');
    expect(problem.detail).toContain(id);
    expect(problem.instance).toBe(`/partners/${id}`);
  });

  it('answers 400 naming the id for a malformed one', async () => {
    const res = await api.GET('/partners/{id}', { params: { path: { id: '12345' } } });
    expect(expectProblem(res, 400, 'validation-error', ['params:id']).errors).toEqual([
      expect.objectContaining({ in: 'params', field: 'id' }),
    ]);
  });
});

describe('POST /partners', () => {
  it('creates a partner with its first status entry', async () => {
    const res = await api.POST('/partners', {
      // Without status and memberInstitutions: the service defaults them (the document marks
      // defaulted fields as required).
      body: unchecked({
        nameEn: 'University of Example',
        nameJa: '例大学',
        country: 'NZ',
        region: 'oceania',
        website: 'https://example.ac.nz/',
      }),
    });
    expect(res.response.status).toBe(201);
    const created = res.data!;
    expect(res.response.headers.get('location')).toBe(`/partners/${created.id}`);
    expect(created).toMatchObject({
      nameEn: 'University of Example',
      status: 'prospective',
      memberInstitutions: [],
    });
    expect(created.statusHistory).toEqual([
      expect.objectContaining({ from: null, to: 'prospective' }),
    ]);

    const row = await ctx.database.db
      .selectFrom('registry.partner')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirst();
    expect(row).toMatchObject({ nameJa: '例大学', country: 'NZ' });
    expect(
      (await api.GET('/partners/{id}', { params: { path: { id: created.id } } })).data,
    ).toEqual(created);
  });

  it('rejects a malformed body with every offending field, writing nothing', async () => {
    const before = await partnerCount();
    const res = await api.POST('/partners', {
      body: unchecked({
        nameJa: 7,
        country: 'gbr',
        status: 'friend',
        website: 'ftp://x',
        extra: 1,
      }),
    });
    const problem = expectProblem(res, 400, 'validation-error', [
      'country',
      'extra',
      'nameEn',
      'nameJa',
      'status',
      'website',
    ]);
    expect(problem.errors?.every((e) => e.in === 'body')).toBe(true);
    expect(await partnerCount()).toBe(before);
  });

  it('rejects a body that is not JSON, or no body at all', async () => {
    expectProblem(
      await api.POST('/partners', { body: unchecked('{"nameEn": '), bodySerializer: rawBody }),
      400,
      'bad-request',
    );
    expectProblem(
      await api.POST('/partners', {
        body: unchecked('nameEn=x'),
        bodySerializer: rawBody,
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'unsupported-media-type',
    );
    const empty = await api.POST('/partners', unchecked({}));
    expectProblem(empty, 400, 'validation-error');
  });

  it('refuses a second partner of the same name, whatever its case', async () => {
    await make.partner({ nameEn: 'Sorbonne University', country: 'FR' });
    const before = await partnerCount();
    const res = await api.POST('/partners', {
      body: unchecked({ nameEn: 'sorbonne university', country: 'FR' }),
    });
    expect(expectProblem(res, 409, 'conflict').errors?.[0]).toMatchObject({ field: 'nameEn' });
    expect(await partnerCount()).toBe(before);
  });

  it('stores the English name in Unicode NFC, so a decomposed accent is the same name', async () => {
    const composed = 'Universit\u00e9 Paris Cit\u00e9';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    const created = await api.POST('/partners', {
      body: unchecked({ nameEn: decomposed, country: 'FR' }),
    });
    expect(created.response.status).toBe(201);
    expect(created.data!.nameEn).toBe(composed);
    const before = await partnerCount();
    const again = await api.POST('/partners', {
      body: unchecked({ nameEn: composed, country: 'FR' }),
    });
    expect(expectProblem(again, 409, 'conflict').errors?.[0]).toMatchObject({ field: 'nameEn' });
    expect(await partnerCount()).toBe(before);
  });
});

describe('PATCH /partners/:id', () => {
  const create = (nameEn: string) => make.partner({ nameEn, country: 'FR' });
  const patch = (id: string, body: unknown, ifMatch = '*') =>
    api.PATCH('/partners/{id}', {
      params: { path: { id }, header: { 'If-Match': ifMatch } },
      body: unchecked(body),
    });

  it('changes fields and dates a status change in the history', async () => {
    const partner = await make.partner({
      nameEn: 'Université Patch',
      country: 'FR',
      statusSince: '2023-10-01',
    });
    const res = await api.PATCH('/partners/{id}', {
      params: { path: { id: partner.id }, header: { 'If-Match': `"${partner.version}"` } },
      body: {
        status: 'strategic',
        statusChangedOn: '2024-04-01',
        statusNote: 'Agreement signed',
        website: 'https://patch.example.fr/',
      },
    });
    expect(res.response.status).toBe(200);
    expect(res.data).toMatchObject({
      status: 'strategic',
      statusSince: '2024-04-01',
      website: 'https://patch.example.fr/',
    });
    expect(res.data!.statusHistory.map((h) => [h.from, h.to, h.note])).toEqual([
      [null, 'prospective', null],
      ['prospective', 'strategic', 'Agreement signed'],
    ]);
    expect(new Date(res.data!.updatedAt).getTime()).toBeGreaterThan(
      new Date(partner.updatedAt).getTime(),
    );
  });

  it('keeps an ended partnership ended', async () => {
    const partner = await create('Ended Institute');
    expect((await patch(partner.id, { status: 'ended' })).response.status).toBe(200);
    expectProblem(await patch(partner.id, { status: 'primary' }), 409, 'invalid-status-transition');
    const row = await ctx.database.db
      .selectFrom('registry.partner')
      .select('status')
      .where('id', '=', partner.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('ended');
  });

  it('rejects an empty patch, a future status date and a taken name', async () => {
    const partner = await create('Patch Target');
    const taken = await make.partner();
    expectProblem(await patch(partner.id, {}), 400, 'validation-error');
    const future = await patch(partner.id, { status: 'strategic', statusChangedOn: '2999-01-01' });
    expect(expectProblem(future, 400, 'validation-error').errors?.[0]?.field).toBe(
      'statusChangedOn',
    );
    expectProblem(await patch(partner.id, { nameEn: taken.nameEn }), 409, 'conflict');
    const row = await ctx.database.db
      .selectFrom('registry.partner')
      .selectAll()
      .where('id', '=', partner.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ nameEn: 'Patch Target', status: 'prospective' });
  });

  it('takes the ETag read: 428 without If-Match, 412 when stale, nothing written', async () => {
    const partner = await create('Université Concurrente');
    const read = await api.GET('/partners/{id}', { params: { path: { id: partner.id } } });
    const etag = read.response.headers.get('etag');
    expect(etag).toBe(`"${partner.version}"`);
    const missing = await api.PATCH('/partners/{id}', {
      params: { path: { id: partner.id } } as never,
      body: { nameJa: '無条件' },
    });
    expectProblem(missing, 428, 'precondition-required');
    const first = await patch(partner.id, { nameJa: '最初' }, etag!);
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('etag')).toBe(`"${partner.version + 1}"`);
    // A second writer who read the same version loses, and is told the current ETag.
    const stale = await patch(partner.id, { nameJa: '二番目' }, etag!);
    expectProblem(stale, 412, 'precondition-failed');
    expect(stale.response.headers.get('etag')).toBe(`"${partner.version + 1}"`);
    expectProblem(await patch(partner.id, { nameJa: 'x' }, 'W/"1"'), 412, 'precondition-failed');
    const row = await ctx.database.db
      .selectFrom('registry.partner')
      .select(['nameJa', 'version'])
      .where('id', '=', partner.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ nameJa: '最初', version: String(partner.version + 1) });
  });

  it('answers 404 for an unknown partner', async () => {
    expectProblem(await patch(randomUUID(), { nameJa: 'x' }), 404, 'not-found');
  });
});
