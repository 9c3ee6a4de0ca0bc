import type { SymposiumClient } from '@sp/client';
import {
  expectProblem,
  factories,
  staffToken,
  symposiumClient,
  unchecked,
  useTestApp,
  waitForLockWait,
} from '@sp/testing';
import ICAL from 'ical.js';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';
import { ProgrammeRepository } from '../src/programme/programme.repository';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);

let staff: SymposiumClient;
let anonymous: SymposiumClient;
beforeAll(async () => {
  staff = symposiumClient(ctx, await staffToken('staff'));
  anonymous = symposiumClient(ctx);
});

/** An announced symposium (the public may see it) on a day of its own. */
const announced = () => make.symposium({ status: 'announced' });

const addSession = (symposiumId: string, body: Record<string, unknown>) =>
  staff.POST('/symposiums/{id}/sessions', {
    params: { path: { id: symposiumId } },
    body: { kind: 'talk', title: { en: 'A talk' }, ...body } as never,
  });

/** A session that must be accepted. */
const added = async (symposiumId: string, body: Record<string, unknown>) => {
  const res = await addSession(symposiumId, body);
  expect(res.response.status).toBe(201);
  return res.data!;
};

const sessionCount = async (symposiumId: string) =>
  Number(
    (
      await ctx.database.db
        .selectFrom('symposium.session')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('symposiumId', '=', symposiumId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('sessions in a room', () => {
  it('refuses an overlapping session in the same room with a 409, writing nothing', async () => {
    const s = await announced();
    const first = await addSession(s.id, {
      startsAt: '2090-03-15T10:00:00+09:00',
      endsAt: '2090-03-15T11:00:00+09:00',
      room: 'Koshiba Hall',
      people: [{ role: 'speaker', name: { en: 'Ada Lovelace' } }],
    });
    expect(first.response.status).toBe(201);
    const overlapping = await addSession(s.id, {
      startsAt: '2090-03-15T10:30:00+09:00',
      endsAt: '2090-03-15T11:30:00+09:00',
      room: 'Koshiba Hall',
      people: [{ role: 'speaker', name: { en: 'Not Written' } }],
    });
    expectProblem(overlapping, 409, 'conflict', ['body:startsAt', 'body:room']);
    expect(await sessionCount(s.id)).toBe(1);
    const people = await ctx.database.db
      .selectFrom('symposium.sessionPerson')
      .select('nameEn')
      .where('nameEn', '=', 'Not Written')
      .execute();
    expect(people).toEqual([]);

    // Back to back in the room, or at the same time elsewhere, is fine.
    const next = await addSession(s.id, {
      startsAt: '2090-03-15T11:00:00+09:00',
      endsAt: '2090-03-15T12:00:00+09:00',
      room: 'Koshiba Hall',
    });
    expect(next.response.status).toBe(201);
    const elsewhere = await addSession(s.id, {
      startsAt: '2090-03-15T10:30:00+09:00',
      endsAt: '2090-03-15T11:30:00+09:00',
      room: 'Room 2',
    });
    expect(elsewhere.response.status).toBe(201);

    // Moving a session onto another is refused too.
    const move = await staff.PATCH('/symposiums/{id}/sessions/{sessionId}', {
      params: {
        path: { id: s.id, sessionId: elsewhere.data!.id },
        header: { 'If-Match': `"${elsewhere.data!.version}"` },
      },
      body: { room: 'Koshiba Hall' },
    });
    expectProblem(move, 409, 'conflict', ['body:startsAt', 'body:room']);
  });

  it('takes a room written in another case, width or spacing as the same room', async () => {
    const s = await announced();
    const first = await addSession(s.id, {
      startsAt: '2090-03-16T10:00:00+09:00',
      endsAt: '2090-03-16T11:00:00+09:00',
      room: 'Hall A',
    });
    expect(first.response.status).toBe(201);
    for (const room of ['hall a', 'HALL  A', 'Ｈａｌｌ Ａ', 'Hall\u3000A']) {
      const again = await addSession(s.id, {
        startsAt: '2090-03-16T10:30:00+09:00',
        endsAt: '2090-03-16T11:30:00+09:00',
        room,
      });
      expectProblem(again, 409, 'conflict', ['body:startsAt', 'body:room']);
    }
    expect(await sessionCount(s.id)).toBe(1);
    // The name is kept as it was typed.
    const other = await addSession(s.id, {
      startsAt: '2090-03-16T11:00:00+09:00',
      endsAt: '2090-03-16T12:00:00+09:00',
      room: 'Ｈａｌｌ Ａ',
    });
    expect(other.data).toMatchObject({ room: 'Ｈａｌｌ Ａ' });
  });

  it('lets the database decide between two writers racing for one slot: one wins', async () => {
    const s = await announced();
    const body = {
      startsAt: '2090-03-16T13:00:00+09:00',
      endsAt: '2090-03-16T14:00:00+09:00',
      room: 'Hall A',
    };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => addSession(s.id, body)).map(
        async (r) => (await r).response.status,
      ),
    );
    expect(results.sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await sessionCount(s.id)).toBe(1);
  });

  it('refuses an end before the start and a speaker linked to an unknown partner', async () => {
    const s = await announced();
    const backwards = await addSession(s.id, {
      startsAt: '2090-03-15T11:00:00+09:00',
      endsAt: '2090-03-15T10:00:00+09:00',
    });
    expectProblem(backwards, 400, 'validation-error', ['body:endsAt']);
    const unknownPartner = await addSession(s.id, {
      startsAt: '2090-03-15T11:00:00+09:00',
      endsAt: '2090-03-15T12:00:00+09:00',
      people: [
        { role: 'chair', name: { en: 'Chair' } },
        {
          role: 'speaker',
          name: { en: 'Guest' },
          partnerId: '00000000-0000-4000-8000-000000000001',
        },
      ],
    });
    expectProblem(unknownPartner, 400, 'validation-error', ['body:people.1.partnerId']);
    expect(await sessionCount(s.id)).toBe(0);
    const badKind = await addSession(s.id, unchecked({ kind: 'lecture', startsAt: 'soon' }));
    expectProblem(badKind, 400, 'validation-error', ['body:kind', 'body:startsAt', 'body:endsAt']);
  });
});

describe('draft and published programme', () => {
  it('shows the public only what was published, in the reader’s language, with linked partners', async () => {
    const s = await announced();
    const partner = await make.partnerSnapshot({
      nameEn: 'ETH Zurich',
      nameJa: 'チューリッヒ工科大学',
      country: 'CH',
    });
    await added(s.id, {
      kind: 'keynote',
      title: { en: 'Opening keynote', ja: '基調講演' },
      startsAt: '2090-03-15T10:00:00+09:00',
      endsAt: '2090-03-15T10:45:00+09:00',
      room: 'Koshiba Hall',
      people: [
        { role: 'chair', name: { en: 'Chair Person' } },
        { role: 'speaker', name: { ja: '山田花子' }, partnerId: partner.id },
      ],
    });
    const programme = () =>
      anonymous.GET('/symposiums/{id}/programme', {
        params: { path: { id: s.id } },
        headers: { 'Accept-Language': 'ja' },
      });
    expectProblem(await programme(), 404, 'not-found');

    const published = await staff.POST('/symposiums/{id}/programme/publish', {
      params: { path: { id: s.id } },
    });
    expect(published.response.status).toBe(200);
    expect(published.data!.publishedAt).not.toBeNull();
    const read = await programme();
    expect(read.response.status).toBe(200);
    expect(read.response.headers.get('content-language')).toBe('ja, en');
    expect(read.data!.sessions).toHaveLength(1);
    expect(read.data!.sessions[0]).toMatchObject({
      kind: 'keynote',
      title: { text: '基調講演', lang: 'ja', fallback: false },
      room: 'Koshiba Hall',
      people: [
        { role: 'chair', name: { text: 'Chair Person', lang: 'en', fallback: true } },
        {
          role: 'speaker',
          name: { text: '山田花子', lang: 'ja', fallback: false },
          partner: { id: partner.id, name: { text: 'チューリッヒ工科大学' }, country: 'CH' },
        },
      ],
    });

    // A session added after publishing stays in the draft until the next publish.
    await added(s.id, {
      kind: 'break',
      title: { en: 'Coffee' },
      startsAt: '2090-03-15T10:45:00+09:00',
      endsAt: '2090-03-15T11:00:00+09:00',
      room: 'Koshiba Hall',
    });
    expect((await programme()).data!.sessions).toHaveLength(1);
    const draft = await staff.GET('/symposiums/{id}/programme/draft', {
      params: { path: { id: s.id } },
    });
    expect(draft.data!.sessions.map((x) => x.kind)).toEqual(['keynote', 'break']);
    await staff.POST('/symposiums/{id}/programme/publish', { params: { path: { id: s.id } } });
    expect((await programme()).data!.sessions.map((x) => x.kind)).toEqual(['keynote', 'break']);

    const events = await ctx.database.db
      .selectFrom('symposium.outbox')
      .select('name')
      .where('name', '=', 'symposium.programme-published')
      .where(sql<boolean>`payload->>'symposiumId' = ${s.id}`)
      .execute();
    expect(events).toHaveLength(2);
  });

  it('gives the published programme as iCalendar that an independent parser reads in Asia/Tokyo', async () => {
    const s = await announced();
    await added(s.id, {
      kind: 'panel-discussion',
      title: { en: 'Panel: the next ten years', ja: 'パネル' },
      startsAt: '2090-03-15T14:00:00+09:00',
      endsAt: '2090-03-15T15:30:00+09:00',
      room: 'Koshiba Hall',
      people: [
        { role: 'moderator', name: { en: 'Moderator M' } },
        { role: 'panelist', name: { en: 'Panelist P' }, affiliation: { en: 'ANU' } },
      ],
    });
    // Late evening in Tokyo is still the previous day in UTC.
    await added(s.id, {
      kind: 'networking',
      title: { en: 'Reception' },
      startsAt: '2090-03-15T18:00:00+09:00',
      endsAt: '2090-03-15T20:00:00+09:00',
    });
    const before = await fetch(`${ctx.running.url}/symposiums/${s.id}/programme.ics`);
    expect(before.status).toBe(404);
    await staff.POST('/symposiums/{id}/programme/publish', { params: { path: { id: s.id } } });

    const res = await fetch(`${ctx.running.url}/symposiums/${s.id}/programme.ics?lang=en`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    const text = await res.text();

    const calendar = new ICAL.Component(ICAL.parse(text));
    const zone = calendar.getFirstSubcomponent('vtimezone');
    expect(zone?.getFirstPropertyValue('tzid')).toBe('Asia/Tokyo');
    // The parser learns the zone from the file itself (its VTIMEZONE), not from the host.
    ICAL.TimezoneService.register(zone!);
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.summary)).toEqual(['Panel: the next ten years', 'Reception']);
    const [panel, reception] = events;
    // Wall-clock times in the zone, and the instants they name.
    expect(panel!.startDate.zone.tzid).toBe('Asia/Tokyo');
    expect(panel!.startDate.utcOffset()).toBe(9 * 3600);
    expect([panel!.startDate.hour, panel!.startDate.minute]).toEqual([14, 0]);
    expect([panel!.endDate.hour, panel!.endDate.minute]).toEqual([15, 30]);
    expect(panel!.startDate.toJSDate().toISOString()).toBe('2090-03-15T05:00:00.000Z');
    expect(panel!.location).toBe('Koshiba Hall');
    expect(panel!.description).toContain('Moderator: Moderator M');
    expect(panel!.description).toContain('Panelist: Panelist P (ANU)');
    expect([reception!.startDate.day, reception!.startDate.hour]).toEqual([15, 18]);
    expect(reception!.startDate.toJSDate().toISOString()).toBe('2090-03-15T09:00:00.000Z');
  });
});

describe('publishing at the same time', () => {
  it('leaves the newest sessions public when two publishes overlap', async () => {
    // Publish A has read the sessions (none yet) and holds its lock; a session is added and
    // publish B is asked for. B must wait for A, then publish what is there now: before, A's
    // older snapshot committed last and the public programme lost the session.
    const s = await announced();
    const repo = ctx.running.app.get(ProgrammeRepository);
    let publishB: Promise<{ response: Response }> | undefined;
    await ctx.database.db.transaction().execute(async (a) => {
      await repo.lockForPublish(a, s.id);
      await added(s.id, {
        startsAt: '2090-04-01T10:00:00+09:00',
        endsAt: '2090-04-01T11:00:00+09:00',
        title: { en: 'Added meanwhile' },
      });
      publishB = staff.POST('/symposiums/{id}/programme/publish', {
        params: { path: { id: s.id } },
      });
      await waitForLockWait(a, ctx.database.db, publishB, 'publish B to wait for publish A');
      await repo.publish(a, s.id, [], null);
    });
    expect((await publishB!).response.status).toBe(200);
    const read = await anonymous.GET('/symposiums/{id}/programme', {
      params: { path: { id: s.id } },
    });
    expect(read.data!.sessions.map((x) => x.title.text)).toEqual(['Added meanwhile']);
  });
});
