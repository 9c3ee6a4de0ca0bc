import { randomUUID } from 'node:crypto';
import type { SymposiumClient } from '@sp/client';
import {
  expectProblem,
  factories,
  staffToken,
  symposiumClient,
  unchecked,
  useTestAppWithPartners,
  waitForLockWait,
} from '@sp/testing';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';
import { EXPORT_PAGE } from '../src/registrations/registrations.service';

const { app: ctx, tokens } = useTestAppWithPartners(appModule, description, {
  scopes: { partnerA: ['symposium:register'], partnerB: ['registry:read'] },
});
const make = factories(ctx);
const PARTNER_A = '0a000000-0000-4000-8000-00000000000a';

let anon: SymposiumClient;
let staff: SymposiumClient;
let partner: SymposiumClient;
beforeAll(async () => {
  anon = symposiumClient(ctx);
  staff = symposiumClient(ctx, await staffToken('staff'));
  partner = symposiumClient(ctx, tokens().partnerA);
});

const form = [
  {
    key: 'affiliation',
    type: 'text' as const,
    label: { en: 'Affiliation', ja: '所属' },
    required: true,
  },
  {
    key: 'dietary',
    type: 'multiselect' as const,
    label: { en: 'Dietary needs' },
    options: [
      { value: 'vegan', label: { en: 'Vegan' } },
      { value: 'halal', label: { en: 'Halal', ja: 'ハラール' } },
    ],
  },
  {
    key: 'consent',
    type: 'consent' as const,
    label: { en: 'I agree to the privacy notice' },
    required: true,
  },
];
const answers = { affiliation: 'University of Oxford', consent: true };

/** Registrations of a symposium in the database (a refused request writes none). */
const written = async (symposiumId: string) => {
  const { n } = await ctx.database.db
    .selectFrom('symposium.registration')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('symposiumId', '=', symposiumId)
    .executeTakeFirstOrThrow();
  return Number(n);
};

/** The mails (outbox `email.send` payloads) sent to an address. */
const mailsTo = async (email: string) => {
  const rows = await ctx.database.db
    .selectFrom('symposium.outbox')
    .select(['payload'])
    .where('name', '=', 'email.send')
    .orderBy('createdAt')
    .execute();
  return rows
    .map(
      (r) =>
        r.payload as {
          template: string;
          locale: string;
          to: string[];
          data: Record<string, string>;
        },
    )
    .filter((p) => p.to.includes(email));
};

/** The generated client types a nullable string as `string[]` (see partners.e2e-spec.ts). */
const nextCursor = (page: { nextCursor: unknown }) => page.nextCursor as string | null;

const tokenOf = (manageUrl: string) => manageUrl.split('/registrations/self/')[1]!;

const openSymposium = async (capacity = 50, extra: Record<string, unknown> = {}) => {
  const symposium = await make.symposium({
    status: 'registration-open',
    titleEn: 'Eighth UTokyo Strategic Partnership Symposium',
    titleJa: '第8回東京大学戦略的パートナーシップシンポジウム',
  });
  await make.registrationSettings(symposium.id, { capacity, form: JSON.stringify(form), ...extra });
  return symposium;
};

describe('registration settings', () => {
  it('are created with If-Match: *, read by anyone with their ETag, and changed only with the current one', async () => {
    const symposium = await make.symposium({ status: 'announced' });
    const body = {
      capacity: 2,
      opensAt: '2026-01-01T00:00:00+09:00',
      closesAt: '2099-01-01T00:00:00+09:00',
      form,
    };
    const params = { path: { id: symposium.id } };
    expectProblem(
      await staff.PUT('/symposiums/{id}/registration-settings', {
        params: unchecked(params),
        body,
      }),
      428,
      'precondition-required',
    );
    const created = await staff.PUT('/symposiums/{id}/registration-settings', {
      params: { ...params, header: { 'If-Match': '*' } },
      body,
    });
    expect(created.response.status).toBe(200);
    expect(created.response.headers.get('etag')).toBe('"1"');
    expect(created.data).toMatchObject({
      capacity: 2,
      seatsLeft: 2,
      open: true,
      reminderOffsetsMinutes: [4320, 1440],
    });

    const read = await anon.GET('/symposiums/{id}/registration-settings', { params });
    expect(read.data?.form.map((f) => f.key)).toEqual(['affiliation', 'dietary', 'consent']);

    const changed = await staff.PUT('/symposiums/{id}/registration-settings', {
      params: { ...params, header: { 'If-Match': '"1"' } },
      body: { ...body, capacity: 3 },
    });
    expect(changed.response.headers.get('etag')).toBe('"2"');
    expectProblem(
      await staff.PUT('/symposiums/{id}/registration-settings', {
        params: { ...params, header: { 'If-Match': '"1"' } },
        body: { ...body, capacity: 4 },
      }),
      412,
      'precondition-failed',
    );
  });

  it('refuses a window that closes before it opens and a field key used twice, naming them', async () => {
    const symposium = await make.symposium();
    const res = await staff.PUT('/symposiums/{id}/registration-settings', {
      params: { path: { id: symposium.id }, header: { 'If-Match': '*' } },
      body: {
        capacity: 10,
        opensAt: '2027-02-01T00:00:00Z',
        closesAt: '2027-01-01T00:00:00Z',
        form: [form[0]!, form[0]!],
      },
    });
    expectProblem(res, 400, 'validation-error', ['body:closesAt', 'body:form.1.key']);
    expect(
      await ctx.database.db
        .selectFrom('symposium.registrationSettings')
        .selectAll()
        .where('symposiumId', '=', symposium.id)
        .execute(),
    ).toEqual([]);
  });
});

describe('signing up', () => {
  it('refuses a sign-up before opening, after closing or once registration is closed, writing nothing', async () => {
    const early = await openSymposium(10, {
      opensAt: new Date(Date.now() + 86_400_000),
      closesAt: new Date(Date.now() + 2 * 86_400_000),
    });
    const late = await openSymposium(10, {
      opensAt: new Date(Date.now() - 2 * 86_400_000),
      closesAt: new Date(Date.now() - 1000),
    });
    // Within its window, but staff closed registration: refused as well.
    const closedByStaff = await openSymposium(10);
    await ctx.database.db
      .updateTable('symposium.symposium')
      .set({ status: 'registration-closed' })
      .where('id', '=', closedByStaff.id)
      .execute();
    for (const s of [early, late, closedByStaff]) {
      const res = await anon.POST('/symposiums/{id}/sign-ups', {
        params: { path: { id: s.id } },
        body: { name: 'Ada', email: `ada-${s.id}@example.org`, answers },
      });
      expectProblem(res, 409, 'conflict', ['params:id']);
      expect(await written(s.id)).toBe(0);
      expect(await mailsTo(`ada-${s.id}@example.org`)).toEqual([]);
    }
  });

  it('refuses a sign-up that meets a close in progress once the close commits', async () => {
    // Staff close registration (the status change locks the symposium row) while a sign-up is
    // on its way: it passed the first status check, before the lock. It must wait for the
    // close and be refused, not be written (a confirmed mail for a closed symposium).
    const s = await openSymposium(10);
    const email = `late-${s.id}@example.org`;
    const signUpNow = () =>
      anon.POST('/symposiums/{id}/sign-ups', {
        params: { path: { id: s.id } },
        body: { name: 'Late Comer', email, answers },
      });
    let signUp: ReturnType<typeof signUpNow> | undefined;
    await ctx.database.db.transaction().execute(async (trx) => {
      await trx
        .selectFrom('symposium.symposium')
        .select('id')
        .where('id', '=', s.id)
        .forUpdate()
        .execute();
      await trx
        .updateTable('symposium.symposium')
        .set({ status: 'registration-closed' })
        .where('id', '=', s.id)
        .execute();
      signUp = signUpNow();
      await waitForLockWait(trx, ctx.database.db, signUp, 'the sign-up to wait for the lock');
    });
    expectProblem(await signUp!, 409, 'conflict', ['params:id']);
    expect(await written(s.id)).toBe(0);
    expect(await mailsTo(email)).toEqual([]);
  });

  it('refuses answers that break the form with a 400 naming each field, writing nothing', async () => {
    const s = await openSymposium();
    const res = await anon.POST('/symposiums/{id}/sign-ups', {
      params: { path: { id: s.id } },
      body: {
        name: 'Ada',
        email: 'ada@example.org',
        answers: { affiliation: '', dietary: ['kosher'], shoeSize: '42' },
      },
    });
    expectProblem(res, 400, 'validation-error', [
      'body:answers.affiliation',
      'body:answers.dietary.0',
      'body:answers.consent',
      'body:answers.shoeSize',
    ]);
    expect(await written(s.id)).toBe(0);
  });

  it('answers 404 for an unknown symposium and 409 for one without settings', async () => {
    const body = { name: 'Ada', email: 'ada@example.org' };
    expectProblem(
      await anon.POST('/symposiums/{id}/sign-ups', {
        params: { path: { id: randomUUID() } },
        body,
      }),
      404,
      'not-found',
    );
    const bare = await make.symposium({ status: 'registration-open' });
    expectProblem(
      await anon.POST('/symposiums/{id}/sign-ups', { params: { path: { id: bare.id } }, body }),
      409,
      'conflict',
    );
  });

  it('treats a planned symposium as not there for anyone but staff: settings, sign-ups, document files', async () => {
    const planned = await make.symposium({ status: 'planned' });
    await make.registrationSettings(planned.id, { capacity: 10 });
    const document = await make.symposiumDocument(planned.id);
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')]), 'r.pdf');
    const uploaded = await fetch(
      `${ctx.running.url}/symposiums/${planned.id}/documents/${document.id}/file`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${await staffToken('staff')}`, 'if-match': '*' },
        body: form,
      },
    );
    expect(uploaded.status).toBe(200);
    const body = { name: 'Early Bird', email: 'early@example.org' };
    expectProblem(
      await anon.GET('/symposiums/{id}/registration-settings', {
        params: { path: { id: planned.id } },
      }),
      404,
      'not-found',
    );
    expectProblem(
      await anon.POST('/symposiums/{id}/sign-ups', { params: { path: { id: planned.id } }, body }),
      404,
      'not-found',
    );
    const file = await fetch(
      `${ctx.running.url}/symposiums/${planned.id}/documents/${document.id}/file`,
    );
    expect(file.status).toBe(404);
    expect(await written(planned.id)).toBe(0);
    expect(await mailsTo(body.email)).toEqual([]);
    // Staff see it as ever.
    const settings = await staff.GET('/symposiums/{id}/registration-settings', {
      params: { path: { id: planned.id } },
    });
    expect(settings.response.status).toBe(200);
    const staffFile = await fetch(
      `${ctx.running.url}/symposiums/${planned.id}/documents/${document.id}/file`,
      { headers: { authorization: `Bearer ${await staffToken('viewer')}` } },
    );
    expect(staffFile.status).toBe(200);
  });

  it('a planned symposium has no registration list for a partner either (staff see it)', async () => {
    const planned = await make.symposium({ status: 'planned' });
    await make.registrationSettings(planned.id, { capacity: 10 });
    const listOf = (client: SymposiumClient) =>
      client.GET('/symposiums/{id}/registrations', { params: { path: { id: planned.id } } });
    expectProblem(await listOf(partner), 404, 'not-found');
    expect((await listOf(staff)).response.status).toBe(200);
  });

  it('keeps registrations as they are once the symposium is held: no cancelling, no promotion', async () => {
    const symposium = await openSymposium(1);
    const seated = await make.registration(symposium.id, { email: 'noshow@example.org' });
    await make.registration(symposium.id, {
      email: 'waiting@example.org',
      status: 'waitlisted',
      confirmedAt: null,
    });
    await ctx.database.db
      .updateTable('symposium.symposium')
      .set({ status: 'held' })
      .where('id', '=', symposium.id)
      .execute();
    expectProblem(
      await staff.DELETE('/registrations/{id}', { params: { path: { id: seated.id } } }),
      409,
      'conflict',
    );
    const rows = await ctx.database.db
      .selectFrom('symposium.registration')
      .select(['email', 'status'])
      .where('symposiumId', '=', symposium.id)
      .orderBy('email')
      .execute();
    expect(rows).toEqual([
      { email: 'noshow@example.org', status: 'confirmed' },
      { email: 'waiting@example.org', status: 'waitlisted' },
    ]);
    expect(await mailsTo('waiting@example.org')).toEqual([]);
  });

  it('confirms, then waitlists; mails each in their language with the link and the check-in code', async () => {
    const s = await openSymposium(1);
    const first = await anon.POST('/symposiums/{id}/sign-ups', {
      params: { path: { id: s.id } },
      body: { name: '山田 花子', email: 'hanako@example.jp', language: 'ja', answers },
    });
    expect(first.response.status).toBe(201);
    expect(first.data).toEqual({
      id: expect.any(String),
      status: 'confirmed',
      waitlistPosition: null,
    });
    const second = await anon.POST('/symposiums/{id}/sign-ups', {
      params: { path: { id: s.id } },
      body: {
        name: 'Ada Lovelace',
        email: 'ada@example.org',
        answers: { ...answers, dietary: ['vegan'] },
      },
    });
    expect(second.data).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });

    const [confirmed] = await mailsTo('hanako@example.jp');
    expect(confirmed).toMatchObject({
      template: 'registration-confirmed',
      locale: 'ja',
      data: {
        symposium: '第8回東京大学戦略的パートナーシップシンポジウム',
        checkInCode: expect.stringMatching(/^[A-Z2-9]{8}$/),
        manageUrl: expect.stringMatching(/\/registrations\/self\/[A-Za-z0-9_-]{43}$/),
      },
    });
    const [waitlisted] = await mailsTo('ada@example.org');
    expect(waitlisted).toMatchObject({
      template: 'registration-waitlisted',
      locale: 'en',
      data: { position: 1 },
    });

    // The secret link shows the registration and its QR code; the database keeps only its hash.
    const token = tokenOf(confirmed!.data['manageUrl']!);
    const mine = await anon.GET('/registrations/self/{token}', { params: { path: { token } } });
    expect(mine.response.headers.get('cache-control')).toBe('private, no-store');
    expect(mine.data).toMatchObject({
      name: '山田 花子',
      status: 'confirmed',
      checkInCode: confirmed!.data['checkInCode'],
    });
    const stored = await ctx.database.db
      .selectFrom('symposium.registration')
      .select('tokenHash')
      .where('id', '=', first.data!.id)
      .executeTakeFirstOrThrow();
    expect(stored.tokenHash).not.toContain(token);
    const qr = await fetch(`${ctx.running.url}/registrations/self/${token}/qr.png`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await qr.arrayBuffer()).subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expectProblem(
      await anon.GET('/registrations/self/{token}', {
        params: { path: { token: 'A'.repeat(43) } },
      }),
      404,
      'not-found',
    );

    // Cancelling through the link frees the seat: the first waiting is promoted and mailed.
    const cancelled = await anon.DELETE('/registrations/self/{token}', {
      params: { path: { token } },
    });
    expect(cancelled.data).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String) });
    expect((await mailsTo('hanako@example.jp')).map((m) => m.template)).toEqual([
      'registration-confirmed',
      'registration-cancelled',
    ]);
    const promoted = await staff.GET('/registrations/{id}', {
      params: { path: { id: second.data!.id } },
    });
    expect(promoted.data).toMatchObject({ status: 'confirmed', waitlistPosition: null });
    const adaMails = await mailsTo('ada@example.org');
    expect(adaMails.map((m) => m.template)).toEqual([
      'registration-waitlisted',
      'registration-promoted',
    ]);
    // The promoted mail carries the same link as the first one.
    expect(adaMails[1]!.data['manageUrl']).toBe(adaMails[0]!.data['manageUrl']);
    // Cancelling again changes nothing and mails no one.
    await anon.DELETE('/registrations/self/{token}', { params: { path: { token } } });
    expect(await mailsTo('hanako@example.jp')).toHaveLength(2);

    const events = await ctx.database.db
      .selectFrom('symposium.outbox')
      .select(['topic', 'name'])
      .where('name', 'like', 'registration.%')
      .execute();
    expect(new Set(events.map((e) => e.name))).toEqual(
      new Set(['registration.created', 'registration.cancelled', 'registration.promoted']),
    );
    expect(events.every((e) => e.topic === 'symposium-events')).toBe(true);
  });

  it('registers one address once per symposium (case-insensitively), again after cancelling', async () => {
    const s = await openSymposium();
    const signUp = (email: string) =>
      staff.POST('/symposiums/{id}/registrations', {
        params: { path: { id: s.id } },
        body: { name: 'Grace', email, answers },
      });
    const first = await signUp('grace@example.org');
    expect(first.response.status).toBe(201);
    expectProblem(await signUp('Grace@Example.org'), 409, 'conflict', ['body:email']);
    expect(await written(s.id)).toBe(1);
    await staff.DELETE('/registrations/{id}', { params: { path: { id: first.data!.id } } });
    expect((await signUp('GRACE@example.org')).response.status).toBe(201);
  });
});

describe('partner delegations', () => {
  it('a partner registers its own people and sees, reads and cancels only those', async () => {
    const s = await openSymposium();
    const other = await make.registration(s.id, { partnerId: randomUUID() });
    const staffOwn = await make.registration(s.id);
    const mine = await partner.POST('/symposiums/{id}/registrations', {
      params: { path: { id: s.id } },
      body: { name: 'Delegate One', email: 'one@partner.example', answers },
    });
    expect(mine.response.status).toBe(201);
    expect(mine.data).toMatchObject({ partnerId: PARTNER_A, status: 'confirmed' });
    const list = await partner.GET('/symposiums/{id}/registrations', {
      params: { path: { id: s.id }, query: {} },
    });
    expect(list.data!.items.map((r) => r.id)).toEqual([mine.data!.id]);
    for (const id of [other.id, staffOwn.id]) {
      expectProblem(
        await partner.GET('/registrations/{id}', { params: { path: { id } } }),
        404,
        'not-found',
      );
      expectProblem(
        await partner.DELETE('/registrations/{id}', { params: { path: { id } } }),
        404,
        'not-found',
      );
    }
    expect(
      (await staff.GET('/registrations/{id}', { params: { path: { id: other.id } } })).data?.status,
    ).toBe('confirmed');
    const cancelled = await partner.DELETE('/registrations/{id}', {
      params: { path: { id: mine.data!.id } },
    });
    expect(cancelled.data?.status).toBe('cancelled');
    const all = await staff.GET('/symposiums/{id}/registrations', {
      params: { path: { id: s.id }, query: {} },
    });
    expect(all.data!.items).toHaveLength(3);
  });
});

describe('check-in and the list', () => {
  it('checks people in by code or by a name search, once, and only with a seat', async () => {
    const s = await openSymposium(2);
    const a = await make.registration(s.id, { name: 'Marie Curie', checkInCode: 'CURIE234' });
    const b = await make.registration(s.id, { name: 'Pierre Curie' });
    const waiting = await make.registration(s.id, {
      name: 'Irène Joliot-Curie',
      status: 'waitlisted',
      confirmedAt: null,
      checkInCode: 'IRENE234',
    });
    const checkIn = (body: { code?: string; registrationId?: string }) =>
      staff.POST('/symposiums/{id}/check-ins', { params: { path: { id: s.id } }, body });

    const byCode = await checkIn({ code: 'curie234' });
    expect(byCode.data).toMatchObject({
      id: a.id,
      status: 'attended',
      attendedAt: expect.any(String),
    });
    expectProblem(await checkIn({ code: 'CURIE234' }), 409, 'conflict', ['body:code']);

    const found = await staff.GET('/symposiums/{id}/registrations', {
      params: { path: { id: s.id }, query: { q: 'pierre' } },
    });
    expect(found.data!.items.map((r) => r.id)).toEqual([b.id]);
    expect((await checkIn({ registrationId: b.id })).data?.status).toBe('attended');

    expectProblem(await checkIn({ code: 'IRENE234' }), 409, 'conflict');
    expect(
      (await staff.GET('/registrations/{id}', { params: { path: { id: waiting.id } } })).data
        ?.status,
    ).toBe('waitlisted');
    expectProblem(await checkIn({ code: 'NOBODY23' }), 404, 'not-found', ['body:code']);
    expectProblem(await checkIn(unchecked({})), 400, 'validation-error');
    expectProblem(await checkIn({ code: 'x' }), 400, 'validation-error', ['body:code']);
    // An attended registration cannot be cancelled.
    expectProblem(
      await staff.DELETE('/registrations/{id}', { params: { path: { id: a.id } } }),
      409,
      'conflict',
    );
  });

  it('pages the list in arrival order and filters by status', async () => {
    const s = await openSymposium();
    const rows = [];
    for (let i = 0; i < 5; i++)
      rows.push(
        await make.registration(s.id, i >= 3 ? { status: 'waitlisted', confirmedAt: null } : {}),
      );
    const page1 = await staff.GET('/symposiums/{id}/registrations', {
      params: { path: { id: s.id }, query: { limit: 2 } },
    });
    const page2 = await staff.GET('/symposiums/{id}/registrations', {
      params: {
        path: { id: s.id },
        query: { limit: 2, cursor: nextCursor(page1.data!)! },
      },
    });
    const page3 = await staff.GET('/symposiums/{id}/registrations', {
      params: {
        path: { id: s.id },
        query: { limit: 2, cursor: nextCursor(page2.data!)! },
      },
    });
    expect(
      [...page1.data!.items, ...page2.data!.items, ...page3.data!.items].map((r) => r.id),
    ).toEqual(rows.map((r) => r.id));
    expect(nextCursor(page3.data!)).toBeNull();
    const waiting = await staff.GET('/symposiums/{id}/registrations', {
      params: { path: { id: s.id }, query: { status: 'waitlisted' } },
    });
    expect(waiting.data!.items.map((r) => r.waitlistPosition)).toEqual([1, 2]);
    expectProblem(
      await staff.GET('/symposiums/{id}/registrations', {
        params: { path: { id: s.id }, query: { cursor: 'garbage' } },
      }),
      400,
      'validation-error',
      ['query:cursor'],
    );
  });

  it('exports the list as CSV with a BOM and a column per form field', async () => {
    const s = await openSymposium(1);
    await staff.POST('/symposiums/{id}/registrations', {
      params: { path: { id: s.id } },
      body: {
        name: '山田 花子',
        email: 'csv-hanako@example.jp',
        language: 'ja',
        answers: { ...answers, dietary: ['vegan', 'halal'] },
      },
    });
    await staff.POST('/symposiums/{id}/registrations', {
      params: { path: { id: s.id } },
      body: { name: '=cmd()', email: 'csv-eve@example.org', answers },
    });
    const res = await fetch(`${ctx.running.url}/symposiums/${s.id}/registrations/export`, {
      headers: { authorization: `Bearer ${await staffToken('viewer')}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, first, second] = parse(bytes.subarray(3).toString('utf8'));
    expect(header).toEqual(
      expect.arrayContaining([
        'name',
        'email',
        'status',
        'Affiliation',
        'Dietary needs',
        'I agree to the privacy notice',
      ]),
    );
    const col = (name: string) => header!.indexOf(name);
    expect(first![col('name')]).toBe('山田 花子');
    expect(first![col('Dietary needs')]).toBe('vegan; halal');
    expect(second![col('status')]).toBe('waitlisted');
    expect(second![col('name')]).toBe("'=cmd()");
    const anonymous = await fetch(`${ctx.running.url}/symposiums/${s.id}/registrations/export`);
    expect(anonymous.status).toBe(401);
  });

  it('streams an export of whatever length a page at a time: every registration once, in order, the waiting list counted on', async () => {
    const s = await openSymposium(1);
    // 2.5 pages: the first confirmed, then every third cancelled, the rest waiting.
    const n = EXPORT_PAGE * 2 + EXPORT_PAGE / 2;
    await sql`insert into symposium.registration
        (symposium_id, name, email, language, status, token_hash, check_in_code)
      select ${s.id}::uuid, 'Person ' || g, 'p' || g || '@example.org', 'en',
             case when g = 1 then 'confirmed' when g % 3 = 0 then 'cancelled' else 'waitlisted' end,
             'hash-' || ${s.id}::text || '-' || g, 'CODE' || g
        from generate_series(1, ${n}::int) g`.execute(ctx.database.db);
    const res = await fetch(`${ctx.running.url}/symposiums/${s.id}/registrations/export`, {
      headers: { authorization: `Bearer ${await staffToken('viewer')}` },
    });
    expect(res.status).toBe(200);
    // Streamed: no length known before the last row is read.
    expect(res.headers.get('content-length')).toBeNull();
    const [header, ...rows] = parse(
      Buffer.from(await res.arrayBuffer())
        .subarray(3)
        .toString(),
    );
    const col = (name: string) => header!.indexOf(name);
    expect(rows.map((r) => r[col('name')])).toEqual(
      Array.from({ length: n }, (_, i) => `Person ${i + 1}`),
    );
    const waiting = rows.filter((r) => r[col('status')] === 'waitlisted');
    expect(waiting.map((r) => r[col('waitlist position')])).toEqual(
      waiting.map((_, i) => String(i + 1)),
    );
  });
});
