import { randomUUID } from 'node:crypto';
import type { RegistryClient } from '@sp/client';
import {
  expectProblem,
  factories,
  registryClient,
  staffToken,
  unchecked,
  useTestApp,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';

/** The partner's profile (issue 9): city, logo, tags, coordinator; dated, attributed status history. */
const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let api: RegistryClient;
let admin: RegistryClient;
beforeAll(async () => {
  api = registryClient(ctx, await staffToken('staff'));
  admin = registryClient(ctx, await staffToken('admin'));
});

const patch = (id: string, body: unknown, ifMatch = '*') =>
  api.PATCH('/partners/{id}', {
    params: { path: { id }, header: { 'If-Match': ifMatch } },
    body: unchecked(body),
  });

const coordinator = {
  name: 'Hanako Todai',
  email: 'hanako.todai@example.ac.jp',
  locale: 'en' as const,
};

describe('the partner profile', () => {
  it('keeps city, logo, tags, department and coordinator; tags are normalised', async () => {
    const partner = await make.partner({
      city: 'Zurich',
      logoUrl: 'https://ethz.example/logo.svg',
      tags: ['Engineering', 'climate', 'engineering'],
      coordinatingDepartment: 'Graduate School of Engineering',
      coordinator,
    });
    expect(partner).toMatchObject({
      city: 'Zurich',
      logoUrl: 'https://ethz.example/logo.svg',
      tags: ['engineering', 'climate'],
      coordinatingDepartment: 'Graduate School of Engineering',
      coordinator,
    });
    const cleared = await patch(partner.id, { coordinator: null, tags: [] });
    expect(cleared.data).toMatchObject({ coordinator: null, tags: [] });
  });

  it('names each bad profile field', async () => {
    const res = await admin.POST('/partners', {
      body: unchecked({
        nameEn: `Bad Profile ${randomUUID()}`,
        country: 'DE',
        logoUrl: 'javascript:alert(1)',
        tags: ['no spaces allowed'],
        coordinator: { name: 'X', email: 'not-an-email' },
        statusSince: '2016-02-30',
      }),
    });
    expect(
      expectProblem(res, 400, 'validation-error')
        .errors!.map((e) => e.field)
        .sort(),
    ).toEqual(['coordinator.email', 'logoUrl', 'statusSince', 'tags.0']);
  });

  it('filters the list by tags, every tag given', async () => {
    const tag = `t-${randomUUID().slice(0, 8)}`;
    const both = await make.partner({ tags: [tag, 'medicine'] });
    const one = await make.partner({ tags: [tag] });
    await make.partner({ tags: ['medicine'] });
    const list = async (tags: string) =>
      (await api.GET('/partners', { params: { query: unchecked({ tag: tags, limit: 200 }) } }))
        .data!.items.map((p) => p.id)
        .sort();
    expect(await list(tag)).toEqual([both.id, one.id].sort());
    expect(await list(`${tag},Medicine`)).toEqual([both.id]);
    const bad = await api.GET('/partners', { params: { query: unchecked({ tag: 'a b' }) } });
    expect(expectProblem(bad, 400, 'validation-error').errors?.[0]).toMatchObject({
      in: 'query',
      field: 'tag.0',
    });
  });

  it('never shows the coordinator nor who changed a status to a partner token', async () => {
    const partner = await make.partner({ coordinator });
    await patch(partner.id, { status: 'strategic', statusNote: 'signed' });
    const client = await make.apiClient(partner.id, { scopes: ['registry:read'] });
    const seen = await client.registry.GET('/partners/{id}', {
      params: { path: { id: partner.id } },
    });
    expect(seen.response.status).toBe(200);
    expect(seen.data).not.toHaveProperty('coordinator');
    expect(seen.data!.statusHistory[1]).not.toHaveProperty('changedBy');
    const body = JSON.stringify(seen.data);
    expect(body).not.toContain(coordinator.email);
    expect(body).not.toContain('staff-tester');
    const listed = await client.registry.GET('/partners', {});
    expect(JSON.stringify(listed.data)).not.toContain(coordinator.email);
  });
});

describe('the status history', () => {
  it('records who changed the status, why, and the date at the precision known', async () => {
    const partner = await make.partner({ statusSince: '2014' });
    expect(partner.statusSince).toBe('2014');
    const res = await patch(partner.id, {
      status: 'strategic',
      statusChangedOn: '2016',
      statusNote: 'Memorandum renewed in 2016',
    });
    expect(res.response.status).toBe(200);
    expect(res.data!.statusSince).toBe('2016');
    expect(res.data!.statusHistory.map((h) => [h.to, h.changedOn, h.note, h.changedBy])).toEqual([
      ['prospective', '2014', null, 'admin-tester'],
      ['strategic', '2016', 'Memorandum renewed in 2016', 'staff-tester'],
    ]);
    const month = await patch(partner.id, { status: 'primary', statusChangedOn: '2023-01' });
    expect(month.data!.statusSince).toBe('2023-01');
    const row = await ctx.database.db
      .selectFrom('registry.partner')
      .select(['statusSince', 'statusSincePrecision'])
      .where('id', '=', partner.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ statusSince: '2023-01-01', statusSincePrecision: 'month' });
  });

  it('refuses an effective date before the previous change, naming the field, writing nothing', async () => {
    const partner = await make.partner({ statusSince: '2020-06-15' });
    for (const statusChangedOn of ['2020-06-14', '2019', '2020-05']) {
      const res = await patch(partner.id, { status: 'strategic', statusChangedOn });
      expect(expectProblem(res, 400, 'validation-error').errors?.[0]).toMatchObject({
        in: 'body',
        field: 'statusChangedOn',
        code: 'too_small',
      });
    }
    const read = await api.GET('/partners/{id}', { params: { path: { id: partner.id } } });
    expect(read.data).toMatchObject({ status: 'prospective', version: partner.version });
    expect(read.data!.statusHistory).toHaveLength(1);
    const same = await patch(partner.id, { status: 'strategic', statusChangedOn: '2020-06-15' });
    expect(same.response.status).toBe(200);
  });
});
