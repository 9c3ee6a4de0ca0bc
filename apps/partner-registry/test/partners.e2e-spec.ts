import { randomUUID } from 'node:crypto';
import { staffToken, useTestApp } from '@sp/testing';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description, { seed: true });

type Json = Record<string, any>;

let token = '';
beforeAll(async () => {
  token = await staffToken('staff');
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
) {
  const headers = { authorization: `Bearer ${token}`, ...extraHeaders };
  const response = await fetch(`${ctx.running.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as Json,
  };
}

const partnerCount = async () =>
  Number(
    (
      await ctx.database.db
        .selectFrom('registry.partner')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

function expectProblem(res: Awaited<ReturnType<typeof call>>, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `/problems/${type}`, status });
  expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
}

describe('GET /partners', () => {
  it('lists the seeded partners by English name', async () => {
    const res = await call('GET', '/partners');
    expect(res.status).toBe(200);
    const names = res.body.items.map((p: Json) => p.nameEn);
    expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b)));
    expect(names).toEqual(
      expect.arrayContaining(['Princeton University', 'Stockholm Trio', 'ETH Zurich']),
    );
    expect(res.body.nextCursor).toBeNull();
    const trio = res.body.items.find((p: Json) => p.nameEn === 'Stockholm Trio');
    expect(trio).toMatchObject({
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
    const primary = await call('GET', '/partners?status=primary&limit=200');
    expect(primary.body.items).toHaveLength(8);
    expect(primary.body.items.every((p: Json) => p.status === 'primary')).toBe(true);

    const china = await call('GET', '/partners?country=cn');
    expect(china.body.items.map((p: Json) => p.nameEn)).toEqual([
      'Peking University',
      'Tsinghua University',
    ]);

    const both = await call('GET', '/partners?country=CN&country=VN&status=prospective,primary');
    expect(both.body.items.map((p: Json) => p.country).sort()).toEqual(['CN', 'CN', 'VN']);
  });

  it.each(['nameEn', '-nameEn', 'country', '-country', 'createdAt', '-createdAt'])(
    'pages through every partner exactly once with sort=%s',
    async (sort) => {
      const all = (await call('GET', `/partners?sort=${sort}&limit=200`)).body.items.map(
        (p: Json) => p.id,
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Json = (
          await call('GET', `/partners?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        ).body;
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((p: Json) => p.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(all.length);
    },
  );

  it('rejects bad query values with a 400 naming each field', async () => {
    const res = await call('GET', '/partners?limit=0&status=bogus&sort=size&colour=red');
    expectProblem(res, 400, 'validation-error');
    const fields = res.body.errors.map((e: Json) => `${e.in}:${e.field}`).sort();
    expect(fields).toEqual(['query:colour', 'query:limit', 'query:sort', 'query:status.0']);
  });

  it('rejects a forged cursor and one made for another sort', async () => {
    const forged = await call('GET', '/partners?cursor=not-a-cursor');
    expectProblem(forged, 400, 'validation-error');
    expect(forged.body.errors[0]).toMatchObject({ in: 'query', field: 'cursor' });

    const first = await call('GET', '/partners?limit=1&sort=country');
    const other = await call(
      'GET',
      `/partners?limit=1&sort=nameEn&cursor=${first.body.nextCursor}`,
    );
    expectProblem(other, 400, 'validation-error');
    expect(other.body.errors[0].message).toMatch(/sort "country"/);
  });
});

describe('GET /partners/:id', () => {
  it('gives a partner with its agreements and status history', async () => {
    const list = await call('GET', '/partners?country=SE');
    const res = await call('GET', `/partners/${list.body.items[0].id}`);
    expect(res.status).toBe(200);
    expect(res.body.agreements).toEqual([
      expect.objectContaining({
        signedOn: '2017-09-25',
        renewedOn: '2022-06-01',
        signedYear: 2017,
      }),
    ]);
    expect(res.body.statusHistory).toEqual([
      expect.objectContaining({ from: null, to: 'primary', changedOn: '2017-09-25' }),
    ]);
  });

  it('answers 404 problem+json for an unknown id', async () => {
    const id = randomUUID();
    const res = await call('GET', `/partners/${id}`);
    expectProblem(res, 404, 'not-found');
    expect(res.body.detail).toContain(id);
    expect(res.body.instance).toBe(`/partners/${id}`);
  });

  it('answers 400 naming the id for a malformed one', async () => {
    const res = await call('GET', '/partners/12345');
    expectProblem(res, 400, 'validation-error');
    expect(res.body.errors).toEqual([expect.objectContaining({ in: 'params', field: 'id' })]);
  });
});

describe('POST /partners', () => {
  it('creates a partner with its first status entry', async () => {
    const res = await call('POST', '/partners', {
      nameEn: 'University of Example',
      nameJa: '例大学',
      country: 'NZ',
      region: 'oceania',
      website: 'https://example.ac.nz/',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/partners/${res.body.id}`);
    expect(res.body).toMatchObject({
      nameEn: 'University of Example',
      status: 'prospective',
      memberInstitutions: [],
    });
    expect(res.body.statusHistory).toEqual([
      expect.objectContaining({ from: null, to: 'prospective' }),
    ]);

    const row = await ctx.database.db
      .selectFrom('registry.partner')
      .selectAll()
      .where('id', '=', res.body.id)
      .executeTakeFirst();
    expect(row).toMatchObject({ nameJa: '例大学', country: 'NZ' });
    expect((await call('GET', `/partners/${res.body.id}`)).body).toEqual(res.body);
  });

  it('rejects a malformed body with every offending field, writing nothing', async () => {
    const before = await partnerCount();
    const res = await call('POST', '/partners', {
      nameJa: 7,
      country: 'gbr',
      status: 'friend',
      website: 'ftp://x',
      extra: 1,
    });
    expectProblem(res, 400, 'validation-error');
    const fields = res.body.errors.map((e: Json) => e.field).sort();
    expect(fields).toEqual(['country', 'extra', 'nameEn', 'nameJa', 'status', 'website']);
    expect(res.body.errors.every((e: Json) => e.in === 'body')).toBe(true);
    expect(await partnerCount()).toBe(before);
  });

  it('rejects a body that is not JSON, or no body at all', async () => {
    expectProblem(await call('POST', '/partners', '{"nameEn": '), 400, 'bad-request');
    expectProblem(
      await call('POST', '/partners', 'nameEn=x', { 'content-type': 'text/plain' }),
      415,
      'unsupported-media-type',
    );
    expectProblem(await call('POST', '/partners'), 400, 'validation-error');
  });

  it('refuses a second partner of the same name, whatever its case', async () => {
    const before = await partnerCount();
    const res = await call('POST', '/partners', { nameEn: 'eth zurich', country: 'CH' });
    expectProblem(res, 409, 'conflict');
    expect(res.body.errors[0]).toMatchObject({ field: 'nameEn' });
    expect(await partnerCount()).toBe(before);
  });
});

describe('PATCH /partners/:id', () => {
  const create = async (nameEn: string) =>
    (await call('POST', '/partners', { nameEn, country: 'FR' })).body;

  it('changes fields and dates a status change in the history', async () => {
    const partner = await create('Université Patch');
    const res = await call('PATCH', `/partners/${partner.id}`, {
      status: 'strategic',
      statusChangedOn: '2024-04-01',
      statusNote: 'Agreement signed',
      website: 'https://patch.example.fr/',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'strategic',
      statusSince: '2024-04-01',
      website: 'https://patch.example.fr/',
    });
    expect(res.body.statusHistory.map((h: Json) => [h.from, h.to, h.note])).toEqual([
      [null, 'prospective', null],
      ['prospective', 'strategic', 'Agreement signed'],
    ]);
    expect(new Date(res.body.updatedAt).getTime()).toBeGreaterThan(
      new Date(partner.updatedAt).getTime(),
    );
  });

  it('keeps an ended partnership ended', async () => {
    const partner = await create('Ended Institute');
    expect((await call('PATCH', `/partners/${partner.id}`, { status: 'ended' })).status).toBe(200);
    const res = await call('PATCH', `/partners/${partner.id}`, { status: 'primary' });
    expectProblem(res, 409, 'invalid-status-transition');
    const row = await ctx.database.db
      .selectFrom('registry.partner')
      .select('status')
      .where('id', '=', partner.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('ended');
  });

  it('rejects an empty patch, a future status date and a taken name', async () => {
    const partner = await create('Patch Target');
    expectProblem(await call('PATCH', `/partners/${partner.id}`, {}), 400, 'validation-error');
    const future = await call('PATCH', `/partners/${partner.id}`, {
      status: 'strategic',
      statusChangedOn: '2999-01-01',
    });
    expectProblem(future, 400, 'validation-error');
    expect(future.body.errors[0].field).toBe('statusChangedOn');
    expectProblem(
      await call('PATCH', `/partners/${partner.id}`, { nameEn: 'Peking University' }),
      409,
      'conflict',
    );
    const row = await ctx.database.db
      .selectFrom('registry.partner')
      .selectAll()
      .where('id', '=', partner.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ nameEn: 'Patch Target', status: 'prospective' });
  });

  it('answers 404 for an unknown partner', async () => {
    expectProblem(
      await call('PATCH', `/partners/${randomUUID()}`, { nameJa: 'x' }),
      404,
      'not-found',
    );
  });
});
