import { randomUUID } from 'node:crypto';
import type { SymposiumClient } from '@sp/client';
import { expectProblem, factories, symposiumClient, unchecked, useTestApp } from '@sp/testing';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let api: SymposiumClient;
/** Seven editions, inserted out of date order, with documents on some. */
beforeAll(async () => {
  api = symposiumClient(ctx);
  const held = (heldOn: string) => ({ heldOn, status: 'held' as const });
  const unnumbered = await make.symposium({
    titleEn: 'Strategic Partnership Symposium',
    heldOn: '2022-03-15',
    format: 'online',
    status: 'report-published',
  });
  await make.symposiumDocument(unnumbered.id, { kind: 'report', position: 0 });
  await make.symposiumDocument(unnumbered.id, { kind: 'video', position: 1 });
  await make.symposium({
    edition: 6,
    ...held('2021-03-16'),
    format: 'online',
    participants: 70,
    participantsQualifier: 'about',
  });
  await make.symposium({ edition: 5, ...held('2019-03-07') });
  const fourth = await make.symposium({
    edition: 4,
    heldOn: '2018-03-06',
    status: 'report-published',
  });
  await make.symposiumDocument(fourth.id, {
    kind: 'panel-summary',
    language: 'en',
    title: 'Summary of Panel Discussion',
  });
  await make.symposium({ edition: 3, heldOn: '2017-03-17', status: 'report-published' });
  await make.symposium({
    edition: 2,
    heldOn: '2016-03-14',
    status: 'report-published',
    venueEn: 'Science Building No. 2 auditorium',
    campus: 'hongo',
    participants: 100,
    participantsQualifier: 'over',
  });
  const first = await make.symposium({
    edition: 1,
    heldOn: '2015-04-20',
    status: 'report-published',
  });
  // Inserted second, listed first: documents come in their position order.
  await make.symposiumDocument(first.id, { kind: 'report', language: 'ja', position: 1 });
  await make.symposiumDocument(first.id, {
    kind: 'announcement',
    language: 'en',
    publishedIn: 'Topics (May 2015)',
    position: 0,
  });
});

describe('GET /symposiums', () => {
  it('lists the symposiums in date order with their documents', async () => {
    const { data, response } = await api.GET('/symposiums');
    expect(response.status).toBe(200);
    expect(data!.items.map((s) => [s.heldOn, s.edition])).toEqual([
      ['2015-04-20', 1],
      ['2016-03-14', 2],
      ['2017-03-17', 3],
      ['2018-03-06', 4],
      ['2019-03-07', 5],
      ['2021-03-16', 6],
      ['2022-03-15', null],
    ]);
    const byEdition = new Map(data!.items.map((s) => [s.edition, s]));
    expect(byEdition.get(1)?.documents.map((d) => [d.kind, d.language, d.publishedIn])).toEqual([
      ['announcement', 'en', 'Topics (May 2015)'],
      ['report', 'ja', null],
    ]);
    expect(byEdition.get(2)).toMatchObject({
      venue: { text: 'Science Building No. 2 auditorium', lang: 'en', fallback: false },
      campus: 'hongo',
      participants: 100,
      participantsQualifier: 'over',
    });
    expect(byEdition.get(4)?.documents).toEqual([
      expect.objectContaining({
        kind: 'panel-summary',
        language: 'en',
        title: { text: 'Summary of Panel Discussion', lang: 'en', fallback: false },
      }),
    ]);
    expect(byEdition.get(6)).toMatchObject({
      format: 'online',
      participants: 70,
      participantsQualifier: 'about',
      documents: [],
    });
    expect(byEdition.get(null)).toMatchObject({
      title: { text: 'Strategic Partnership Symposium', lang: 'en', fallback: false },
      format: 'online',
      documents: [
        expect.objectContaining({ kind: 'report' }),
        expect.objectContaining({ kind: 'video' }),
      ],
    });
  });

  it('lists newest first on request, as the public page does, and filters by status', async () => {
    const desc = await api.GET('/symposiums', { params: { query: { order: 'desc' } } });
    expect(desc.data!.items[0]?.heldOn).toBe('2022-03-15');
    const held = await api.GET('/symposiums', { params: { query: { status: 'held' } } });
    expect(held.data!.items.map((s) => s.edition)).toEqual([5, 6]);
  });

  it('rejects an unknown order or status with a 400 naming the field', async () => {
    const res = await api.GET('/symposiums', {
      params: { query: unchecked({ order: 'sideways' }) },
    });
    expectProblem(res, 400, 'validation-error', ['query:order']);
  });
});

describe('GET /symposiums/:id', () => {
  it('gives one symposium', async () => {
    const list = await api.GET('/symposiums');
    const fifth = list.data!.items.find((s) => s.edition === 5)!;
    const { data, response } = await api.GET('/symposiums/{id}', {
      params: { path: { id: fifth.id } },
    });
    expect(response.status).toBe(200);
    expect(data).toEqual(fifth);
  });

  it('answers 404 for an unknown one and 400 for a malformed id', async () => {
    const get = (id: string) => api.GET('/symposiums/{id}', { params: { path: { id } } });
    expectProblem(await get(randomUUID()), 404, 'not-found');
    expectProblem(await get('fifth'), 400, 'validation-error', ['params:id']);
  });
});
