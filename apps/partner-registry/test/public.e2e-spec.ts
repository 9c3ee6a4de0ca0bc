import { parseFeed } from '@rowanmanning/feed-parser';
import type { RegistryClient } from '@sp/client';
import {
  type ActivityBody,
  expectProblem,
  factories,
  registryClient,
  staffToken,
  useTestApp,
} from '@sp/testing';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let anonymous: RegistryClient;
let staff: RegistryClient;
let cambridge: { id: string };
let published: ActivityBody[] = [];
let hidden: ActivityBody;
let draft: ActivityBody;

const nextCursor = (page: { nextCursor: unknown }) => page.nextCursor as string | null;

beforeAll(async () => {
  anonymous = registryClient(ctx);
  staff = registryClient(ctx, await staffToken('staff'));
  cambridge = await make.partner({
    nameEn: 'University of Cambridge',
    country: 'GB',
    status: 'primary',
  });
  await make.partner({ nameEn: 'Princeton University', country: 'US', status: 'primary' });
  await make.partner({
    nameEn: 'Strategic Example University',
    country: 'DE',
    status: 'strategic',
  });
  await make.partner({
    nameEn: 'Vietnam National University, Hanoi',
    country: 'VN',
    status: 'prospective',
  });
  await make.partner({ nameEn: 'Former Partner College', country: 'FR', status: 'ended' });
  published = [];
  for (const title of ['First & foremost <workshop>', 'Second exchange', 'Third project'])
    published.push(
      await make.activity(cambridge.id, {
        titleEn: title,
        titleJa: title === 'Third project' ? '第三のプロジェクト' : undefined,
        // A vertical tab (Word's line break) is not allowed in XML: the feed leaves it out.
        summaryEn: title === 'Second exchange' ? `${title}:\u000Ba summary` : `${title}: a summary`,
        leads: ['Prof. Private Person'],
        isPublic: true,
        type: 'joint-symposium',
      }),
    );
  hidden = await make.activity(cambridge.id, { titleEn: 'Internal only', isPublic: false });
  const client = await make.apiClient(cambridge.id, { scopes: ['activities:write'] });
  const res = await client.registry.POST('/activities', {
    body: { type: 'other', titleEn: 'Unreviewed draft', isPublic: true } as never,
  });
  draft = res.data!;
});

describe('GET /public/partners', () => {
  it('lists primary, strategic and prospective partners with public fields only, never ended ones', async () => {
    const res = await anonymous.GET('/public/partners');
    expect(res.response.status).toBe(200);
    const { primary, strategic, prospective } = res.data!;
    expect(primary.map((p) => p.nameEn)).toEqual([
      'Princeton University',
      'University of Cambridge',
    ]);
    expect(strategic.map((p) => p.nameEn)).toEqual(['Strategic Example University']);
    expect(prospective.map((p) => p.nameEn)).toEqual(['Vietnam National University, Hanoi']);
    const body = JSON.stringify(res.data);
    expect(body).not.toContain('Former Partner College');
    expect(Object.keys(primary[0]!).sort()).toEqual(
      [
        'country',
        'id',
        'memberInstitutions',
        'nameEn',
        'nameJa',
        'region',
        'status',
        'summaryEn',
        'summaryJa',
        'website',
      ].sort(),
    );
  });
});

describe('GET /public/activities', () => {
  it('shows approved public activities newest first, in pages, without people', async () => {
    const first = await anonymous.GET('/public/activities', { params: { query: { limit: 2 } } });
    expect(first.response.status).toBe(200);
    expect(first.data!.items.map((a) => a.titleEn)).toEqual(['Third project', 'Second exchange']);
    const second = await anonymous.GET('/public/activities', {
      params: { query: { limit: 2, cursor: nextCursor(first.data!)! } },
    });
    expect(second.data!.items.map((a) => a.titleEn)).toEqual(['First & foremost <workshop>']);
    expect(nextCursor(second.data!)).toBeNull();
    const all = JSON.stringify([first.data, second.data]);
    expect(all).not.toContain('Prof. Private Person');
    expect(all).not.toContain(hidden.id);
    expect(all).not.toContain(draft.id);
    expect(first.data!.items[0]).toMatchObject({
      partner: { id: cambridge.id, nameEn: 'University of Cambridge', country: 'GB' },
      titleJa: '第三のプロジェクト',
    });
    expect(first.data!.items[0]).not.toHaveProperty('leads');
  });

  it('refuses a cursor of another list and a bad limit, naming them', async () => {
    const staffPage = await staff.GET('/activities', { params: { query: { limit: 1 } } });
    const res = await anonymous.GET('/public/activities', {
      params: { query: { cursor: nextCursor(staffPage.data!)! } },
    });
    expectProblem(res, 400, 'validation-error', ['cursor']);
    const big = await anonymous.GET('/public/activities', { params: { query: { limit: 500 } } });
    expectProblem(big, 400, 'validation-error', ['limit']);
  });
});

describe('GET /public/activities/:id', () => {
  it('shows a published activity, and nothing unpublished (404)', async () => {
    const res = await anonymous.GET('/public/activities/{id}', {
      params: { path: { id: published[0]!.id } },
    });
    expect(res.response.status).toBe(200);
    expect(res.data!.titleEn).toBe('First & foremost <workshop>');
    for (const id of [hidden.id, draft.id])
      expectProblem(
        await anonymous.GET('/public/activities/{id}', { params: { path: { id } } }),
        404,
        'not-found',
      );
  });
});

describe('GET /public/activities.atom', () => {
  it('is a valid Atom 1.0 feed a reader accepts, newest first', async () => {
    const res = await fetch(`${ctx.running.url}/public/activities.atom`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const xml = await res.text();

    // Well-formed XML, in the Atom namespace, with every element RFC 4287 requires.
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => ['entry', 'link', 'author'].includes(name),
    }).parse(xml) as {
      feed: Record<string, unknown> & {
        entry: Record<string, unknown>[];
        link: Record<string, string>[];
      };
    };
    const feed = doc.feed;
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed).toMatchObject({
      id: 'http://localhost:3001/public/activities.atom',
      title: expect.any(String),
      updated: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      author: [{ name: expect.any(String) }],
    });
    expect(feed.link).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          '@_rel': 'self',
          '@_href': 'http://localhost:3001/public/activities.atom',
        }),
      ]),
    );
    expect(feed.entry).toHaveLength(3);
    for (const entry of feed.entry) {
      for (const field of ['id', 'title', 'updated', 'link', 'summary'])
        expect({ field, present: entry[field] !== undefined }).toEqual({ field, present: true });
    }

    // An independent feed parser reads the same.
    const parsed = parseFeed(xml);
    expect(parsed.meta.type).toBe('atom');
    expect(parsed.self).toBe('http://localhost:3001/public/activities.atom');
    expect(parsed.items.map((i) => i.title)).toEqual([
      'Third project / 第三のプロジェクト',
      'Second exchange',
      'First & foremost <workshop>',
    ]);
    expect(parsed.items.map((i) => i.url)).toEqual(
      [...published].reverse().map((a) => `http://localhost:3001/public/activities/${a.id}`),
    );
    expect(parsed.items[2]!.description).toContain('First & foremost <workshop>: a summary');
    expect(parsed.items[1]!.description).toBe('Second exchange:a summary');
    // Titles and summaries are declared HTML: their text is escaped, not taken for markup.
    expect(xml).toContain('First &amp; foremost &lt;workshop&gt;');
    expect(xml).not.toContain('\u000B');
    expect(xml).not.toContain('Prof. Private Person');
    expect(xml).not.toContain('Internal only');
  });
});

describe('GET /public/activities.atom, conditionally', () => {
  it('answers 304 to a reader holding the current ETag, and the new feed once it changes', async () => {
    const url = `${ctx.running.url}/public/activities.atom`;
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const same = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(same.status).toBe(304);
    expect(await same.text()).toBe('');
    // Compared weakly (RFC 9110): a tag a compressing proxy weakened, one in a list, or `*`.
    for (const held of [`W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await fetch(url, { headers: { 'if-none-match': held } });
      expect([held, res.status]).toEqual([held, 304]);
      await res.arrayBuffer();
    }
    const other = await fetch(url, { headers: { 'if-none-match': 'W/"other"' } });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
    await make.activity(cambridge.id, { titleEn: 'Fourth project', isPublic: true });
    const changed = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(parseFeed(await changed.text()).items[0]!.title).toBe('Fourth project');
  });
});

describe('GET /public/activities?partnerId=', () => {
  it("shows one partner's public activities only", async () => {
    const other = await make.partner({ nameEn: 'Filter University', status: 'primary' });
    const theirs = await make.activity(other.id, { titleEn: 'Filtered', isPublic: true });
    const res = await anonymous.GET('/public/activities', {
      params: { query: { partnerId: other.id } },
    });
    expect(res.data!.items.map((a) => a.id)).toEqual([theirs.id]);
    const bad = await anonymous.GET('/public/activities', {
      params: { query: { partnerId: 'nope' } },
    });
    expectProblem(bad, 400, 'validation-error', ['partnerId']);
  });
});
