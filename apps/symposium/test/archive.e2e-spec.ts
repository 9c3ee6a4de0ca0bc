import { seed } from '@sp/db';
import { factories, symposiumClient, useTestApp } from '@sp/testing';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

/** The demo data (`npm run db:seed`): the programme's public page, as SEED-FACTS list it. */
beforeAll(async () => {
  await seed(ctx.database.db);
  // Not in the archive: a planned symposium, and a draft document of a held one.
  await make.symposium({ status: 'planned', titleEn: 'Next Symposium', heldOn: '2099-03-01' });
  const [sixth] = await ctx.database.db
    .selectFrom('symposium.symposium')
    .select('id')
    .where('edition', '=', 6)
    .execute();
  await make.symposiumDocument(sixth!.id, { title: 'Unfinished report', published: false });
});

describe('GET /symposiums/archive on the seeded data', () => {
  it('lists the seven symposiums newest first, with dates, document kinds and languages', async () => {
    const { data, response } = await symposiumClient(ctx).GET('/symposiums/archive', {
      headers: { 'Accept-Language': 'en' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-language')).toBe('en');
    const rows = data!.items.map((s) => ({
      edition: s.edition,
      heldOn: s.heldOn,
      title: s.title.text,
      documents: s.documents.map((d) => `${d.kind}:${d.language}`),
    }));
    expect(rows).toEqual([
      {
        edition: null,
        heldOn: '2022-03-15',
        title: 'Strategic Partnership Symposium',
        documents: ['report:en', 'video:en'],
      },
      {
        edition: 6,
        heldOn: '2021-03-16',
        title: 'Sixth UTokyo Strategic Partnership Symposium',
        documents: [],
      },
      {
        edition: 5,
        heldOn: '2019-03-07',
        title: 'Fifth UTokyo Strategic Partnership Symposium',
        documents: ['announcement:en'],
      },
      {
        edition: 4,
        heldOn: '2018-03-06',
        title: 'Fourth UTokyo Strategic Partnership Symposium',
        documents: ['panel-summary:en'],
      },
      {
        edition: 3,
        heldOn: '2017-03-17',
        title: 'Third UTokyo Strategic Partnership Symposium',
        documents: ['announcement:en', 'report:en'],
      },
      {
        edition: 2,
        heldOn: '2016-03-14',
        title: 'Second UTokyo Strategic Partnership Symposium',
        documents: ['announcement:en', 'report:en'],
      },
      {
        edition: 1,
        heldOn: '2015-04-20',
        title: 'First UTokyo Strategic Partnership Symposium',
        documents: ['announcement:en', 'report:ja'],
      },
    ]);
    const byEdition = new Map(data!.items.map((s) => [s.edition, s]));
    expect(byEdition.get(5)).toMatchObject({
      venue: { text: 'Koshiba Hall', lang: 'en', fallback: false },
      participants: 100,
      participantsQualifier: 'about',
      documents: [expect.objectContaining({ publishedIn: 'Topics (March 2019)' })],
    });
    expect(byEdition.get(6)).toMatchObject({ format: 'online', participants: 70 });
  });

  it('marks English-only titles as fallbacks for a Japanese reader', async () => {
    const { data, response } = await symposiumClient(ctx).GET('/symposiums/archive', {
      params: { query: { lang: 'ja' } },
    });
    expect(response.headers.get('content-language')).toBe('en');
    expect(data!.items[0]!.title).toEqual({
      text: 'Strategic Partnership Symposium',
      lang: 'en',
      fallback: true,
    });
  });
});
