import { randomUUID } from 'node:crypto';
import type { InquiriesClient } from '@sp/client';
import {
  expectProblem,
  factories,
  inquiriesClient,
  staffToken,
  unchecked,
  useTestApp,
} from '@sp/testing';
import type { EmailSend } from '@sp/types';
import { appModule, description } from '../src/app.module';

const ctx = useTestApp(appModule, description);
const make = factories(ctx);
let api: InquiriesClient;
let viewer: InquiriesClient;

beforeAll(async () => {
  api = inquiriesClient(ctx, await staffToken('staff'));
  viewer = inquiriesClient(ctx, await staffToken('viewer'));
});

const etag = (version: number) => `"${version}"`;

/** The mails an inquiry's changes put in the outbox (what the worker will send). */
async function outboxMails(): Promise<EmailSend[]> {
  const rows = await ctx.database.db
    .selectFrom('inquiries.outbox')
    .select('payload')
    .where('name', '=', 'email.send')
    .execute();
  return rows.map(
    (row) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as EmailSend,
  );
}

async function read(id: string) {
  const { data } = await api.GET('/inquiries/{id}', { params: { path: { id } } });
  if (!data) throw new Error(`inquiry ${id} not found`);
  return data;
}

describe('GET /inquiries', () => {
  it('filters by state, assignee, overdue and words in any message, newest first in keyset pages', async () => {
    const word = `zebra${randomUUID().slice(0, 8)}`;
    const late = await make.inquiryRow({
      firstResponseDueAt: new Date(Date.now() - 60_000),
      resolutionDueAt: new Date(Date.now() + 86_400_000),
      createdAt: new Date(Date.now() - 3_000),
    });
    const assigned = await make.inquiryRow(
      { assignee: 'kenji', state: 'open', createdAt: new Date(Date.now() - 2_000) },
      `About the ${word} exchange programme`,
    );
    const third = await make.inquiryRow({ createdAt: new Date(Date.now() - 1_000) });

    const byWord = await viewer.GET('/inquiries', { params: { query: { q: word } } });
    expect(byWord.data?.items.map((i) => i.id)).toEqual([assigned.id]);

    const overdue = await viewer.GET('/inquiries', { params: { query: { overdue: true } } });
    expect(overdue.data?.items.map((i) => i.id)).toContain(late.id);
    expect(overdue.data?.items.map((i) => i.id)).not.toContain(third.id);
    expect(overdue.data?.items.find((i) => i.id === late.id)?.overdue).toBe(true);
    // Without due times yet (the sweep fills them in): not overdue, so in the other list.
    const onTime = await viewer.GET('/inquiries', { params: { query: { overdue: false } } });
    expect(onTime.data?.items.map((i) => i.id)).toContain(third.id);
    expect(onTime.data?.items.map((i) => i.id)).not.toContain(late.id);

    const mine = await viewer.GET('/inquiries', {
      params: { query: { assignee: 'kenji', state: ['open'] } },
    });
    expect(mine.data?.items.map((i) => i.id)).toEqual([assigned.id]);
    const unassigned = await viewer.GET('/inquiries', { params: { query: { assignee: 'none' } } });
    expect(unassigned.data?.items.map((i) => i.id)).not.toContain(assigned.id);

    // Pages of two: every inquiry once, newest first.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await viewer.GET('/inquiries', { params: { query: { limit: 2, cursor } } });
      seen.push(...(page.data?.items.map((i) => i.id) ?? []));
      cursor = page.data?.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.indexOf(third.id)).toBeLessThan(seen.indexOf(assigned.id));
    expect(seen.indexOf(assigned.id)).toBeLessThan(seen.indexOf(late.id));
  });

  it('refuses a bad filter or cursor with a 400 naming it', async () => {
    expectProblem(
      await viewer.GET('/inquiries', {
        params: { query: { state: unchecked(['lost']), limit: unchecked(0) } },
      }),
      400,
      'validation-error',
      ['query:state.0', 'query:limit'],
    );
    expectProblem(
      await viewer.GET('/inquiries', { params: { query: { cursor: 'not-a-cursor' } } }),
      400,
      'validation-error',
      ['query:cursor'],
    );
  });
});

describe('PATCH /inquiries/:id', () => {
  it('assigns with the ETag read, and refuses a stale or missing one (412/428), writing nothing', async () => {
    const row = await make.inquiryRow();
    const before = await read(row.id);
    const assign = await api.PATCH('/inquiries/{id}', {
      params: { path: { id: row.id }, header: { 'If-Match': etag(before.version) } },
      body: { assignee: 'kenji', assigneeEmail: 'kenji@example.ac.jp' },
    });
    expect(assign.response.status).toBe(200);
    expect(assign.data).toMatchObject({ assignee: 'kenji', assigneeEmail: 'kenji@example.ac.jp' });
    expect(assign.response.headers.get('etag')).toBe(etag(before.version + 1));

    expectProblem(
      await api.PATCH('/inquiries/{id}', {
        params: { path: { id: row.id }, header: { 'If-Match': etag(before.version) } },
        body: { assignee: 'yuki' },
      }),
      412,
      'precondition-failed',
    );
    expectProblem(
      await api.PATCH('/inquiries/{id}', {
        params: { path: { id: row.id }, header: unchecked({}) },
        body: { assignee: 'yuki' },
      }),
      428,
      'precondition-required',
    );
    expect((await read(row.id)).assignee).toBe('kenji');

    // The same assignee with the address cleared (alerts then go to the group); an absent
    // address keeps it.
    const kept = await api.PATCH('/inquiries/{id}', {
      params: { path: { id: row.id }, header: { 'If-Match': '*' } },
      body: { assignee: 'kenji' },
    });
    expect(kept.data).toMatchObject({ assigneeEmail: 'kenji@example.ac.jp' });
    const cleared = await api.PATCH('/inquiries/{id}', {
      params: { path: { id: row.id }, header: { 'If-Match': '*' } },
      body: { assignee: 'kenji', assigneeEmail: null },
    });
    expect(cleared.data).toMatchObject({ assignee: 'kenji', assigneeEmail: null });
  });

  it('guards the state: 409 naming the allowed next states; resolved stamps resolved_at', async () => {
    const row = await make.inquiryRow();
    const refused = expectProblem(
      await api.PATCH('/inquiries/{id}', {
        params: { path: { id: row.id }, header: { 'If-Match': '*' } },
        body: { state: 'resolved' },
      }),
      409,
      'invalid-status-transition',
      ['body:state'],
    );
    expect(refused.detail).toContain('allowed next: open, closed');

    for (const state of ['open', 'waiting', 'resolved'] as const) {
      const res = await api.PATCH('/inquiries/{id}', {
        params: { path: { id: row.id }, header: { 'If-Match': '*' } },
        body: { state },
      });
      expect(res.data?.state).toBe(state);
    }
    const resolved = await read(row.id);
    expect(resolved.resolvedAt).not.toBeNull();
    const reopened = await api.PATCH('/inquiries/{id}', {
      params: { path: { id: row.id }, header: { 'If-Match': '*' } },
      body: { state: 'open' },
    });
    expect(reopened.data?.resolvedAt).toBeNull();
  });

  it('recomputes the due times when the category changes, in business hours', async () => {
    // Wednesday 2026-12-02 20:00 Tokyo; `other` (default 8/40 h) → media (4/16 h).
    const row = await make.inquiryRow({ createdAt: new Date('2026-12-02T20:00:00+09:00') });
    const res = await api.PATCH('/inquiries/{id}', {
      params: { path: { id: row.id }, header: { 'If-Match': '*' } },
      body: { category: 'media' },
    });
    expect(res.data).toMatchObject({
      category: 'media',
      firstResponseDueAt: new Date('2026-12-03T13:00:00+09:00').toISOString(),
      resolutionDueAt: new Date('2026-12-04T17:00:00+09:00').toISOString(),
    });
  });

  it('links a partner from the local snapshot; an unknown one is a 400 naming partnerId', async () => {
    const row = await make.inquiryRow();
    const partner = await make.partnerSnapshot({}, 'inquiries');
    expectProblem(
      await api.PATCH('/inquiries/{id}', {
        params: { path: { id: row.id }, header: { 'If-Match': '*' } },
        body: { partnerId: randomUUID() },
      }),
      400,
      'validation-error',
      ['body:partnerId'],
    );
    const linked = await api.PATCH('/inquiries/{id}', {
      params: { path: { id: row.id }, header: { 'If-Match': '*' } },
      body: { partnerId: partner.id, symposiumId: randomUUID() },
    });
    expect(linked.data?.partner).toEqual({
      id: partner.id,
      nameEn: partner.nameEn,
      country: partner.country,
      status: partner.status,
    });
    const byPartner = await viewer.GET('/inquiries', {
      params: { query: { partnerId: partner.id } },
    });
    expect(byPartner.data?.items.map((i) => i.id)).toEqual([row.id]);
  });

  it('is for staff: a viewer may read but not change (403)', async () => {
    const row = await make.inquiryRow();
    expectProblem(
      await viewer.PATCH('/inquiries/{id}', {
        params: { path: { id: row.id }, header: { 'If-Match': '*' } },
        body: { assignee: 'me' },
      }),
      403,
      'forbidden',
    );
  });
});

describe('POST /inquiries/:id/messages', () => {
  it('keeps an internal note off the mail; a public reply is mailed in the inquirer language, threaded', async () => {
    const row = await make.inquiryRow({ language: 'ja' });
    const secret = `note-${randomUUID()}`;
    const note = await api.POST('/inquiries/{id}/messages', {
      params: { path: { id: row.id } },
      body: { visibility: 'internal', body: secret },
    });
    expect(note.response.status).toBe(201);
    expect(note.data?.state).toBe('new');
    expect(note.data?.firstResponseAt).toBeNull();
    expect(note.data?.messages.at(-1)).toMatchObject({
      visibility: 'internal',
      body: secret,
      messageId: null,
    });
    expect(JSON.stringify(await outboxMails())).not.toContain(secret);

    const canned = await make.cannedResponse({ bodyJa: '担当部局に確認いたします。' });
    const reply = await api.POST('/inquiries/{id}/messages', {
      params: { path: { id: row.id } },
      body: { visibility: 'public', cannedResponseId: canned.id },
    });
    expect(reply.response.status).toBe(201);
    // The first public reply opens a new inquiry and stamps the first response.
    expect(reply.data?.state).toBe('open');
    expect(reply.data?.firstResponseAt).not.toBeNull();
    const sent = reply.data?.messages.at(-1);
    expect(sent).toMatchObject({ visibility: 'public', body: '担当部局に確認いたします。' });
    expect(sent?.messageId).toMatch(/^<.+@.+>$/);

    const mails = (await outboxMails()).filter((m) => m.data.reference === row.reference);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      template: 'inquiry-reply',
      locale: 'ja',
      to: [row.email],
      messageId: sent?.messageId,
      data: { reference: row.reference, body: '担当部局に確認いたします。' },
    });
    expect(JSON.stringify(mails)).not.toContain(secret);
    const thread = await ctx.database.db
      .selectFrom('inquiries.mailThread')
      .select('messageId')
      .where('inquiryId', '=', row.id)
      .execute();
    expect(thread.map((t) => t.messageId)).toContain(sent?.messageId);
  });

  it('takes a reply sent again with its Idempotency-Key once: one message, one mail', async () => {
    const row = await make.inquiryRow();
    const key = randomUUID();
    const send = (body: string) =>
      api.POST('/inquiries/{id}/messages', {
        params: { path: { id: row.id }, header: { 'Idempotency-Key': key } },
        body: { visibility: 'public', body },
      });
    // A double click: both at once (the inquiry's lock makes the second wait for the first).
    const [a, b] = await Promise.all([send('Only once, please.'), send('Only once, please.')]);
    expect([a.response.status, b.response.status]).toEqual([201, 201]);
    expect([a, b].map((r) => r.response.headers.get('idempotent-replayed')).sort()).toEqual(
      ['true', null].sort(),
    );
    // A retry after a timeout, later.
    const retry = await send('Only once, please.');
    expect(retry.response.status).toBe(201);
    expect(retry.response.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.data!.messages.filter((m) => m.body === 'Only once, please.')).toHaveLength(1);
    const mails = (await outboxMails()).filter((m) => m.data.reference === row.reference);
    expect(mails.map((m) => m.data.body)).toEqual(['Only once, please.']);

    // The key with another message is refused, writing nothing.
    expectProblem(await send('Something else.'), 409, 'conflict');
    expect((await read(row.id)).messages.filter((m) => m.body === 'Something else.')).toEqual([]);
    // The key is the inquiry's: another inquiry may use it, and the two still merge.
    const other = await make.inquiryRow({ email: row.email });
    const elsewhere = await api.POST('/inquiries/{id}/messages', {
      params: { path: { id: other.id }, header: { 'Idempotency-Key': key } },
      body: { visibility: 'internal', body: 'A note.' },
    });
    expect(elsewhere.response.status).toBe(201);
    expect(elsewhere.response.headers.get('idempotent-replayed')).toBeNull();
    const merged = await api.POST('/inquiries/{id}/merge', {
      params: { path: { id: other.id }, header: { 'If-Match': '*' } },
      body: { into: row.id },
    });
    expect(merged.response.status).toBe(200);
    expect(merged.data!.messages.map((m) => m.body)).toContain('A note.');
    // A key that is not visible ASCII is refused.
    expectProblem(
      await api.POST('/inquiries/{id}/messages', {
        params: { path: { id: row.id }, header: { 'Idempotency-Key': 'x'.repeat(201) } },
        body: { visibility: 'internal', body: 'Too long a key.' },
      }),
      400,
      'bad-request',
    );
  });

  it('threads a second reply to the first: In-Reply-To and References', async () => {
    const row = await make.inquiryRow();
    const first = await api.POST('/inquiries/{id}/messages', {
      params: { path: { id: row.id } },
      body: { visibility: 'public', body: 'First answer.' },
    });
    const second = await api.POST('/inquiries/{id}/messages', {
      params: { path: { id: row.id } },
      body: { visibility: 'public', body: 'Second answer.', state: 'waiting' },
    });
    expect(second.data?.state).toBe('waiting');
    const firstId = first.data?.messages.at(-1)?.messageId;
    const mail = (await outboxMails()).find((m) => m.data.body === 'Second answer.');
    expect(mail).toMatchObject({ inReplyTo: firstId, references: [firstId] });
  });

  it('a public reply to a new inquiry may also ask for the inquirer (waiting) or settle it (resolved), audited as a state change', async () => {
    for (const state of ['waiting', 'resolved'] as const) {
      const inquiry = await make.inquiryRow();
      const res = await api.POST('/inquiries/{id}/messages', {
        params: { path: { id: inquiry.id } },
        body: { visibility: 'public', body: 'Could you tell us more?', state },
      });
      expect(res.response.status).toBe(201);
      expect(await read(inquiry.id)).toMatchObject({
        state,
        firstResponseAt: expect.any(String),
      });
      const audits = await ctx.database.db
        .selectFrom('inquiries.auditLog')
        .select(['action', 'before', 'after'])
        .where('entityId', '=', inquiry.id)
        .orderBy('id')
        .execute();
      expect(audits.map((a) => a.action)).toEqual(['reply', 'update-state']);
      expect(audits[1]).toMatchObject({ before: { state: 'new' }, after: { state } });
    }
    // A note answers no one: it cannot skip a new inquiry ahead.
    const note = await api.POST('/inquiries/{id}/messages', {
      params: { path: { id: (await make.inquiryRow()).id } },
      body: { visibility: 'internal', body: 'Checking.', state: 'waiting' },
    });
    expectProblem(note, 409, 'invalid-status-transition');
  });

  it('refuses a reply without text or to a closed inquiry, writing nothing', async () => {
    const row = await make.inquiryRow({ state: 'closed' });
    expectProblem(
      await api.POST('/inquiries/{id}/messages', {
        params: { path: { id: row.id } },
        body: { visibility: 'public' },
      }),
      400,
      'validation-error',
      ['body:body'],
    );
    expectProblem(
      await api.POST('/inquiries/{id}/messages', {
        params: { path: { id: row.id } },
        body: { visibility: 'public', body: 'Too late?' },
      }),
      409,
      'conflict',
    );
    expectProblem(
      await api.POST('/inquiries/{id}/messages', {
        params: { path: { id: randomUUID() } },
        body: { visibility: 'public', cannedResponseId: randomUUID() },
      }),
      404,
      'not-found',
    );
    expect((await read(row.id)).messages).toHaveLength(1);
  });
});

describe('POST /inquiries/:id/merge', () => {
  it('joins the threads, closes the duplicate as merged and tells its inquirer once', async () => {
    const target = await make.inquiryRow({}, 'Original question');
    const duplicate = await make.inquiryRow(
      { language: 'ja', email: target.email.toUpperCase() },
      'Same question again',
    );
    const dup = await read(duplicate.id);
    const merged = await api.POST('/inquiries/{id}/merge', {
      params: { path: { id: duplicate.id }, header: { 'If-Match': etag(dup.version) } },
      body: { into: target.id },
    });
    expect(merged.response.status).toBe(200);
    expect(merged.data?.id).toBe(target.id);
    expect(merged.data?.merged).toEqual([{ id: duplicate.id, reference: duplicate.reference }]);
    const bodies = merged.data?.messages.map((m) => m.body) ?? [];
    expect(bodies).toEqual(expect.arrayContaining(['Original question', 'Same question again']));

    const closed = await read(duplicate.id);
    expect(closed).toMatchObject({ state: 'closed', mergedIntoId: target.id });

    // Again: the duplicate is closed now (409), and its inquirer is not told twice.
    expectProblem(
      await api.POST('/inquiries/{id}/merge', {
        params: { path: { id: duplicate.id }, header: { 'If-Match': '*' } },
        body: { into: target.id },
      }),
      409,
      'conflict',
    );
    const told = (await outboxMails()).filter((m) => m.template === 'inquiry-merged');
    expect(told.filter((m) => m.data.reference === duplicate.reference)).toEqual([
      expect.objectContaining({
        locale: 'ja',
        to: [duplicate.email],
        data: expect.objectContaining({ into: target.reference }),
      }),
    ]);
  });

  it("a merged duplicate's status link shows the inquiry it joined, and takes follow-ups there", async () => {
    const { inquiry: target } = await make.inquiry({ email: 'mei@example.org' });
    const { inquiry: duplicate, statusToken } = await make.inquiry({ email: 'mei@example.org' });
    const reply = await api.POST('/inquiries/{id}/messages', {
      params: { path: { id: duplicate.id } },
      body: { visibility: 'public', body: 'Answered on the duplicate.' },
    });
    expect(reply.response.status).toBe(201);
    const merged = await api.POST('/inquiries/{id}/merge', {
      params: { path: { id: duplicate.id }, header: { 'If-Match': '*' } },
      body: { into: target.id },
    });
    expect(merged.response.status).toBe(200);

    const anon = inquiriesClient(ctx);
    const link = { params: { path: { token: statusToken } } };
    const status = await anon.GET('/inquiries/status/{token}', link);
    expect(status.data).toMatchObject({
      reference: target.reference,
      mergedFrom: duplicate.reference,
      state: 'open',
    });
    expect(status.data!.messages.map((m) => m.body)).toContain('Answered on the duplicate.');
    const followUp = await anon.POST('/inquiries/status/{token}/messages', {
      ...link,
      body: { message: 'Thank you, one more thing.' },
    });
    expect(followUp.response.status).toBe(201);
    const bodies = (await read(target.id)).messages.map((m) => m.body);
    expect(bodies).toContain('Thank you, one more thing.');
  });

  it("takes the duplicate's first response for the target's: no false first-response breach", async () => {
    const past = new Date(Date.now() - 3_600_000);
    const target = await make.inquiryRow({ firstResponseDueAt: past, resolutionDueAt: null });
    const duplicate = await make.inquiryRow({ email: target.email, firstResponseDueAt: past });
    await api.POST('/inquiries/{id}/messages', {
      params: { path: { id: duplicate.id } },
      body: { visibility: 'public', body: 'Here is the answer.' },
    });
    const answeredAt = (await read(duplicate.id)).firstResponseAt;
    expect(answeredAt).toEqual(expect.any(String));
    await api.POST('/inquiries/{id}/merge', {
      params: { path: { id: duplicate.id }, header: { 'If-Match': '*' } },
      body: { into: target.id },
    });
    const after = await read(target.id);
    expect(after).toMatchObject({ state: 'open', firstResponseAt: answeredAt, overdue: false });
    const audit = await ctx.database.db
      .selectFrom('inquiries.auditLog')
      .select(['before', 'after'])
      .where('entityId', '=', target.id)
      .where('action', '=', 'merge-in')
      .executeTakeFirstOrThrow();
    expect(audit.before).toMatchObject({ state: 'new' });
    expect(audit.after).toMatchObject({ state: 'open', merged: duplicate.reference });
  });

  it("refuses merging another person's inquiry: each would see the other's messages", async () => {
    const target = await make.inquiryRow({}, 'Mine');
    const other = await make.inquiryRow({}, 'Somebody else’s');
    expectProblem(
      await api.POST('/inquiries/{id}/merge', {
        params: { path: { id: other.id }, header: { 'If-Match': '*' } },
        body: { into: target.id },
      }),
      409,
      'conflict',
      ['body:into'],
    );
    expect((await read(target.id)).messages.map((m) => m.body)).toEqual(['Mine']);
    expect(await read(other.id)).toMatchObject({ state: 'new', mergedIntoId: null });
  });

  it('refuses merging into itself or into a closed inquiry', async () => {
    const row = await make.inquiryRow();
    const closed = await make.inquiryRow({ state: 'closed', email: row.email });
    expectProblem(
      await api.POST('/inquiries/{id}/merge', {
        params: { path: { id: row.id }, header: { 'If-Match': '*' } },
        body: { into: row.id },
      }),
      400,
      'validation-error',
      ['body:into'],
    );
    expectProblem(
      await api.POST('/inquiries/{id}/merge', {
        params: { path: { id: row.id }, header: { 'If-Match': '*' } },
        body: { into: closed.id },
      }),
      409,
      'conflict',
      ['body:into'],
    );
    expect((await read(row.id)).state).toBe('new');
  });
});

describe('/canned-responses', () => {
  it('creates, lists, changes with If-Match and deletes; a taken title is 409 naming it', async () => {
    const title = `Thanks ${randomUUID().slice(0, 6)}`;
    const created = await api.POST('/canned-responses', {
      body: { title, bodyEn: 'Thank you.', bodyJa: 'ありがとうございます。' },
    });
    expect(created.response.status).toBe(201);
    const id = created.data?.id ?? '';
    expectProblem(
      await api.POST('/canned-responses', {
        body: { title: title.toUpperCase(), bodyEn: 'x', bodyJa: 'x' },
      }),
      409,
      'conflict',
      ['body:title'],
    );
    const list = await viewer.GET('/canned-responses');
    expect(list.data?.items.map((c) => c.title)).toContain(title);

    expectProblem(
      await api.PATCH('/canned-responses/{id}', {
        params: { path: { id }, header: { 'If-Match': '"99"' } },
        body: { bodyEn: 'Thanks!' },
      }),
      412,
      'precondition-failed',
    );
    const changed = await api.PATCH('/canned-responses/{id}', {
      params: { path: { id }, header: { 'If-Match': '"1"' } },
      body: { bodyEn: 'Thanks!' },
    });
    expect(changed.data).toMatchObject({ bodyEn: 'Thanks!', version: 2 });

    const removed = await api.DELETE('/canned-responses/{id}', {
      params: { path: { id }, header: { 'If-Match': '"2"' } },
    });
    expect(removed.response.status).toBe(204);
    expectProblem(
      await viewer.GET('/canned-responses/{id}', { params: { path: { id } } }),
      404,
      'not-found',
    );
  });
});
