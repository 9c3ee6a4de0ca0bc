import { randomUUID } from 'node:crypto';
import type { RegistryClient } from '@sp/client';
import type { DB } from '@sp/db';
import {
  expectProblem,
  factories,
  type PartnerDetailBody,
  registryClient,
  staffToken,
  unchecked,
  useTestApp,
} from '@sp/testing';
import type { Insertable } from 'kysely';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let staff: RegistryClient;
let anonymous: RegistryClient;
let eth: PartnerDetailBody;
let snu: PartnerDetailBody;
let ended: PartnerDetailBody;
const ids: Record<string, string> = {};

/** An activity row (the triggers of migration 0012 index it as the services' writes would). */
async function activity(
  partnerId: string,
  values: Partial<Insertable<DB['registry.activity']>> & { titleEn: string },
): Promise<string> {
  const published = values.publishedAt !== undefined;
  const row = await ctx.database.db
    .insertInto('registry.activity')
    .values({
      partnerId,
      type: 'joint-research',
      status: 'ongoing',
      reviewStatus: published ? 'approved' : 'submitted',
      isPublic: published,
      reportedBy: 'staff',
      createdBy: 'search-test',
      ...values,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  staff = registryClient(ctx, await staffToken('viewer'));
  anonymous = registryClient(ctx);
  eth = await make.partner({
    nameEn: 'ETH Zurich',
    nameJa: 'チューリッヒ工科大学',
    country: 'CH',
    status: 'primary',
  });
  snu = await make.partner({
    nameEn: 'Seoul National University',
    nameJa: 'ソウル大学校',
    country: 'KR',
    summaryEn: 'Partners since 2016 in engineering.',
  });
  ended = await make.partner({ nameEn: 'Fudan Search University', country: 'CN', status: 'ended' });
  ids.joint = await activity(eth.id, {
    titleEn: 'Quantum materials workshop',
    titleJa: '東京大学とチューリッヒ工科大学の量子材料ワークショップ',
    summaryEn: 'Researchers collaborate on quantum materials across both campuses.',
    publishedAt: new Date('2025-01-10T00:00:00Z'),
  });
  ids.kyoto = await activity(snu.id, {
    titleEn: 'Marine science summer school',
    titleJa: '京都での海洋科学サマースクール',
    publishedAt: new Date('2025-02-01T00:00:00Z'),
  });
  ids.unpublished = await activity(eth.id, {
    titleEn: 'Confidential collaboration draft',
    summaryEn: 'Not yet reviewed; collaborating on a marine funding bid.',
  });
  ids.snuDraft = await activity(snu.id, { titleEn: 'Seoul collaboration draft' });
  ids.contact = (
    await make.contact(eth.id, { nameEn: 'Greta Fictitious', role: 'Collaboration manager' })
  ).id;
  ids.lead = (
    await make.facultyLead({
      nameEn: 'Hanako Kakuu',
      nameJa: '架空 花子',
      department: 'Graduate School of Science',
      partnerIds: [eth.id],
    })
  ).id;
});

const search = (client: RegistryClient, q: string, extra: Record<string, unknown> = {}) =>
  client.GET('/search', { params: { query: { q, limit: 50, ...extra } } });
const found = async (client: RegistryClient, q: string) => {
  const res = await search(client, q);
  expect(res.response.status).toBe(200);
  return res.data!.items.map((i) => i.id);
};

describe('GET /search', () => {
  it('finds a two-character Japanese word inside a longer Japanese title', async () => {
    const res = await search(staff, '東京');
    expect(res.data!.items.map((i) => i.id)).toEqual([ids.joint]);
    const hit = res.data!.items[0]!;
    expect(hit).toMatchObject({ kind: 'activity', titleJa: expect.stringContaining('東京大学') });
    // 京都 is in another title; 東京都 (a word containing neither pair in order) is not found.
    expect(await found(staff, '京都')).toEqual([ids.kyoto]);
    expect(await found(staff, '量子材料')).toEqual([ids.joint]);
    expect(await found(staff, '材量')).toEqual([]);
  });

  it('finds an English word in any inflection (english stemming)', async () => {
    // "collaborate" is in the published activity's summary, "collaboration" in titles.
    const ours = await found(staff, 'collaborations');
    expect(ours).toEqual(expect.arrayContaining([ids.joint, ids.unpublished, ids.snuDraft]));
    const hit = (await search(staff, 'collaborations')).data!.items.find(
      (i) => i.id === ids.joint,
    )!;
    expect(hit.highlights.map((h) => hit.snippet.slice(h.start, h.end))).toEqual(['collaborate']);
    expect(await found(staff, 'researching')).toEqual([ids.joint]);
  });

  it('finds a partner by its country name, in English and Japanese', async () => {
    const swiss = await search(staff, 'Switzerland', { kind: ['partner'] });
    expect(swiss.data!.items.map((i) => i.title)).toEqual(['ETH Zurich']);
    expect(swiss.data!.items[0]).toMatchObject({
      kind: 'partner',
      id: eth.id,
      href: `/partners/${eth.id}`,
    });
    expect((await found(staff, 'スイス')).at(0)).toBe(eth.id);
    expect(await found(staff, 'korea')).toContain(snu.id);
  });

  it('ranks a title match above a match in the text', async () => {
    // "Marine" starts one title and is only in the other's summary.
    const res = await search(staff, 'marine');
    expect(res.data!.items.map((i) => i.id)).toEqual([ids.kyoto, ids.unpublished]);
    const scores = res.data!.items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('shows people to staff only, and anonymous callers only what is public', async () => {
    expect(await found(staff, 'Greta')).toEqual([ids.contact]);
    expect(await found(staff, '花子')).toEqual([ids.lead]);
    expect(await found(anonymous, 'Greta')).toEqual([]);
    expect(await found(anonymous, 'Hanako')).toEqual([]);
    // Unpublished activities and ended partnerships are not public.
    expect(await found(anonymous, 'collaborations')).toEqual([ids.joint]);
    expect(await found(anonymous, 'Fudan')).toEqual([]);
    expect(await found(staff, 'Fudan')).toEqual([ended.id]);
    const hit = (await search(anonymous, 'quantum')).data!.items[0]!;
    expect(hit.href).toBe(`/public/activities/${ids.joint}`);
  });

  it("never finds a published activity by its leads' names (the public routes show no leads)", async () => {
    const published = await activity(snu.id, {
      titleEn: 'Ocean drilling expedition',
      leads: ['Taro Leadperson'],
      publishedAt: new Date('2025-03-01T00:00:00Z'),
    });
    const draft = await activity(snu.id, {
      titleEn: 'Ocean drilling proposal',
      leads: ['Jiro Leadperson'],
    });
    expect(await found(anonymous, 'Leadperson')).toEqual([]);
    expect(await found(anonymous, 'drilling')).toEqual([published]);
    const snippets = (await search(anonymous, 'drilling')).data!.items.map((i) => i.snippet);
    expect(snippets.join(' ')).not.toContain('Leadperson');
    // Staff still find the unpublished one by its lead.
    expect(await found(staff, 'Leadperson')).toEqual([draft]);
  });

  it("gives a partner's token its own partner's things only, never people", async () => {
    const client = (await make.apiClient(eth.id, { scopes: ['registry:read'] })).registry;
    expect(await found(client, 'collaborations')).toEqual(
      expect.arrayContaining([ids.joint, ids.unpublished]),
    );
    expect(await found(client, 'collaborations')).not.toContain(ids.snuDraft);
    expect(await found(client, 'Seoul')).toEqual([]);
    expect(await found(client, 'Greta')).toEqual([]);
    expect(await found(client, 'Hanako')).toEqual([]);
    const people = await search(client, 'Greta', { kind: ['contact'] });
    expect(people.data!.items).toEqual([]);
  });

  it('answers a partner token that may not read the registry as it answers the public', async () => {
    const client = (await make.apiClient(eth.id, { scopes: ['inquiries:write'] })).registry;
    expect(await found(client, 'collaborations')).toEqual([ids.joint]);
    const hit = (await search(client, 'quantum')).data!.items[0]!;
    expect(hit.href).toBe(`/public/activities/${ids.joint}`);
    // activities:write reads the partner's own activities elsewhere, so here too.
    const writer = (await make.apiClient(eth.id, { scopes: ['activities:write'] })).registry;
    expect(await found(writer, 'collaborations')).toContain(ids.unpublished);
  });

  it('pages with a cursor, every result once, and refuses a cursor of another query', async () => {
    const all = await found(staff, 'collaborations');
    expect(all.length).toBeGreaterThanOrEqual(4);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await staff.GET('/search', {
        params: { query: { q: 'collaborations', limit: 1, cursor } },
      });
      seen.push(...page.data!.items.map((i) => i.id));
      cursor = page.data!.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all);
    const first = await staff.GET('/search', {
      params: { query: { q: 'collaborations', limit: 1 } },
    });
    expectProblem(
      await staff.GET('/search', {
        params: { query: { q: 'quantum', cursor: first.data!.nextCursor as unknown as string } },
      }),
      400,
      'validation-error',
      ['query:cursor'],
    );
  });

  it('follows every write: a renamed partner and a deleted contact', async () => {
    const partner = await make.partner({ nameEn: 'Oldname Institute', country: 'FR' });
    expect(await found(staff, 'Oldname')).toEqual([partner.id]);
    const admin = registryClient(ctx, await staffToken('staff'));
    await admin.PATCH('/partners/{id}', {
      params: { path: { id: partner.id }, header: { 'If-Match': '*' } },
      body: { nameEn: 'Newname Institute' },
    });
    expect(await found(staff, 'Oldname')).toEqual([]);
    expect(await found(staff, 'Newname')).toEqual([partner.id]);
    const contact = await make.contact(partner.id, { nameEn: 'Temporary Person' });
    expect(await found(staff, 'Temporary')).toEqual([contact.id]);
    await admin.DELETE('/contacts/{id}', {
      params: { path: { id: contact.id }, header: { 'If-Match': '*' } },
    });
    expect(await found(staff, 'Temporary')).toEqual([]);
  });

  it('refuses a query without words, a bad kind or limit, naming the field', async () => {
    expectProblem(
      await staff.GET('/search', { params: { query: unchecked({}) } }),
      400,
      'validation-error',
      ['query:q'],
    );
    expectProblem(await search(staff, ' !?* '), 400, 'validation-error', ['query:q']);
    expectProblem(
      await staff.GET('/search', {
        params: { query: unchecked({ q: 'eth', kind: 'people', limit: 0 }) },
      }),
      400,
      'validation-error',
      ['query:kind.0', 'query:limit'],
    );
    // Quotes and operators are words to us, never tsquery syntax (no 500).
    expect((await search(staff, "eth' & | ! (:*")).response.status).toBe(200);
    expect((await search(staff, randomUUID())).response.status).toBe(200);
  });
});
