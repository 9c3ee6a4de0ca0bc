import { randomUUID } from 'node:crypto';
import { useTestApp } from '@sp/testing';
import type { Symposium, SymposiumList } from '@sp/types';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description, { seed: true });

const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${ctx.running.url}${path}`);
  return { status: res.status, body: (await res.json()) as T };
};

describe('GET /symposiums', () => {
  it('lists the seven seeded symposiums in date order with their documents', async () => {
    const { status, body } = await getJson<SymposiumList>('/symposiums');
    expect(status).toBe(200);
    expect(body.items.map((s) => [s.heldOn, s.edition])).toEqual([
      ['2015-04-20', 1],
      ['2016-03-14', 2],
      ['2017-03-17', 3],
      ['2018-03-06', 4],
      ['2019-03-07', 5],
      ['2021-03-16', 6],
      ['2022-03-15', null],
    ]);
    const byEdition = new Map(body.items.map((s) => [s.edition, s]));
    expect(byEdition.get(1)?.documents.map((d) => [d.kind, d.language, d.publishedIn])).toEqual([
      ['announcement', 'en', 'Topics (May 2015)'],
      ['report', 'ja', null],
    ]);
    expect(byEdition.get(2)).toMatchObject({
      venue: 'Science Building No. 2 auditorium',
      campus: 'hongo',
      participants: 100,
      participantsQualifier: 'over',
    });
    expect(byEdition.get(4)?.documents).toEqual([
      expect.objectContaining({
        kind: 'panel-summary',
        language: 'en',
        title: 'Summary of Panel Discussion',
      }),
    ]);
    expect(byEdition.get(6)).toMatchObject({
      format: 'online',
      participants: 70,
      participantsQualifier: 'about',
      documents: [],
    });
    expect(byEdition.get(null)).toMatchObject({
      titleEn: 'Strategic Partnership Symposium',
      format: 'online',
      documents: [
        expect.objectContaining({ kind: 'report' }),
        expect.objectContaining({ kind: 'video' }),
      ],
    });
  });

  it('lists newest first on request, as the public page does, and filters by status', async () => {
    const desc = await getJson<SymposiumList>('/symposiums?order=desc');
    expect(desc.body.items[0]?.heldOn).toBe('2022-03-15');
    const held = await getJson<SymposiumList>('/symposiums?status=held');
    expect(held.body.items.map((s) => s.edition)).toEqual([5, 6]);
  });

  it('rejects an unknown order or status with a 400 naming the field', async () => {
    const res = await fetch(`${ctx.running.url}/symposiums?order=sideways`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ in: 'query', field: 'order' }] });
  });
});

describe('GET /symposiums/:id', () => {
  it('gives one symposium', async () => {
    const list = await getJson<SymposiumList>('/symposiums');
    const fifth = list.body.items.find((s) => s.edition === 5)!;
    const { status, body } = await getJson<Symposium>(`/symposiums/${fifth.id}`);
    expect(status).toBe(200);
    expect(body).toEqual(fifth);
  });

  it('answers 404 for an unknown one and 400 for a malformed id', async () => {
    expect((await fetch(`${ctx.running.url}/symposiums/${randomUUID()}`)).status).toBe(404);
    expect((await fetch(`${ctx.running.url}/symposiums/fifth`)).status).toBe(400);
  });
});
