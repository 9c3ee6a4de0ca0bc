import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_STORE, type FileStore } from '@sp/platform';
import { expectProblem as expectProblemOf, useTestApp, waitFor } from '@sp/testing';
import type { ProblemCode } from '@sp/types';
import type { InquiryForm, InquiryReceipt, InquiryStatus } from '@sp/types';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';

const storage = join(tmpdir(), `inquiries-e2e-${process.pid}-${Date.now()}`);
const ctx = useTestApp(appModule, description, {
  env: {
    STORAGE_DIR: storage,
    ATTACHMENT_MAX_FILE_BYTES: '20000',
    ATTACHMENT_MAX_FILES: '2',
    ATTACHMENT_MAX_TOTAL_BYTES: '30000',
    RATE_LIMIT_PUBLIC_PER_MINUTE: '1000',
    INQUIRY_MAX_FOLLOW_UPS: '3',
    INQUIRY_MAX_ATTACHMENT_BYTES: '25000',
  } as Record<string, string>,
});

afterAll(() => rm(storage, { recursive: true, force: true }));

// Smallest real files of each kind: file-type recognises them by their bytes.
const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
/** A Windows executable ("MZ" header) dressed up as a PDF by its name and declared type. */
const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);

const valid = {
  name: 'Ingrid Berg',
  email: 'ingrid.berg@example.no',
  organisation: 'University of Oslo',
  country: 'NO',
  language: 'en',
  category: 'media',
  fields: { outlet: 'Aftenposten', deadline: '2026-12-20' },
  subject: 'Interview about the Strategic Partnerships programme',
  message: 'Could we interview someone about the programme?',
};

/** A fetch response as a problem: status, problem+json, type, request id (see `expectProblem`). */
const expectProblem = async (res: Response, status: number, code: ProblemCode) =>
  expectProblemOf({ response: res, error: await res.json() }, status, code);

const post = (path: string, body: unknown) =>
  fetch(`${ctx.running.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const postForm = (path: string, form: FormData) =>
  fetch(`${ctx.running.url}${path}`, { method: 'POST', body: form });

function formOf(values: Record<string, string>, files: [Buffer, string, string][]): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(values)) form.append(k, v);
  for (const [data, name, type] of files) {
    form.append('attachments', new Blob([new Uint8Array(data)], { type }), name);
  }
  return form;
}

const mediaForm = (overrides: Record<string, string> = {}) => ({
  name: 'Kenji Sato',
  email: 'kenji@example.jp',
  language: 'ja',
  category: 'media',
  'fields.outlet': 'NHK',
  subject: '取材のお願い',
  message: 'プログラムについて取材させてください。',
  ...overrides,
});

const count = async (table: 'inquiries.inquiry' | 'inquiries.attachment' | 'inquiries.message') =>
  Number(
    (
      await ctx.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const storedFiles = async (): Promise<string[]> => {
  try {
    return await readdir(join(storage, 'inquiries'));
  } catch {
    return [];
  }
};

describe('GET /inquiries/form', () => {
  it('publishes every category with its fields, labels in both languages, and the limits', async () => {
    const res = await fetch(`${ctx.running.url}/inquiries/form`);
    expect(res.status).toBe(200);
    const form = (await res.json()) as InquiryForm;
    expect(form.categories.map((c) => c.category)).toEqual([
      'partnership-proposal',
      'symposium',
      'mobility',
      'media',
      'other',
    ]);
    const media = form.categories.find((c) => c.category === 'media');
    expect(media?.label).toEqual({ en: 'Media', ja: '報道関係' });
    expect(media?.fields).toContainEqual(
      expect.objectContaining({
        name: 'outlet',
        type: 'text',
        required: true,
        label: { en: 'Media outlet', ja: '媒体名' },
      }),
    );
    expect(form.attachments).toEqual({
      contentTypes: expect.arrayContaining(['application/pdf', 'image/png']),
      maxFileBytes: 20000,
      maxFiles: 2,
      maxTotalBytes: 30000,
    });
    expect(form.honeypot).toBe('website');
  });
});

describe('POST /inquiries', () => {
  it('takes a JSON submission: 201 with the reference and status link, acknowledgement queued', async () => {
    const res = await post('/inquiries', valid);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const receipt = (await res.json()) as InquiryReceipt;
    const year = new Date().getUTCFullYear();
    expect(receipt.reference).toMatch(new RegExp(`^INQ-(${year}|${year + 1})-\\d{6}$`));
    expect(receipt.state).toBe('new');
    expect(receipt.statusToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(receipt.statusUrl.endsWith(receipt.statusToken)).toBe(true);

    const row = await ctx.database.db
      .selectFrom('inquiries.inquiry')
      .selectAll()
      .where('reference', '=', receipt.reference)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      category: 'media',
      categoryFields: { outlet: 'Aftenposten', deadline: '2026-12-20' },
      partnerId: null,
    });
    // Only the token's hash is kept.
    expect(row.statusTokenHash).not.toContain(receipt.statusToken);

    const outbox = await ctx.database.db
      .selectFrom('inquiries.outbox')
      .select(['topic', 'name', 'payload'])
      .where(sql<boolean>`payload::text like ${`%${row.id}%`}`)
      .execute();
    expect(outbox.map((o) => o.name).sort()).toEqual([
      'email.send',
      'inquiry.created',
      'inquiry.message-added',
    ]);
    const mail = outbox.find((o) => o.name === 'email.send');
    expect(mail?.topic).toBe('notifications');
    expect(mail?.payload).toMatchObject({
      template: 'inquiry-received',
      locale: 'en',
      to: ['ingrid.berg@example.no'],
      data: { name: 'Ingrid Berg', reference: receipt.reference, statusUrl: receipt.statusUrl },
    });
    // Its Message-ID is kept, so a reply to the acknowledgement threads into the inquiry.
    const thread = await ctx.database.db
      .selectFrom('inquiries.mailThread')
      .selectAll()
      .where('inquiryId', '=', row.id)
      .execute();
    expect(thread.map((t) => t.messageId)).toEqual([
      (mail?.payload as { messageId: string }).messageId,
    ]);
  });

  it('takes an Idempotency-Key: the same request again is the same inquiry, mailed once', async () => {
    const key = `form-${randomUUID()}`;
    const send = (body: unknown, idempotencyKey = key) =>
      fetch(`${ctx.running.url}/inquiries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
      });
    const body = { ...valid, subject: `Retried ${key}` };
    const first = await send(body);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const receipt = (await first.json()) as InquiryReceipt;
    // A retry after a timeout, and two more at once (a double click).
    const again = await Promise.all([send(body), send(body)]);
    for (const res of again) {
      expect(res.status).toBe(201);
      expect(res.headers.get('idempotent-replayed')).toBe('true');
      expect(await res.json()).toEqual(receipt);
    }
    const rows = await ctx.database.db
      .selectFrom('inquiries.inquiry')
      .select(['id', 'clientKeyHash', 'statusTokenSealed'])
      .where('subject', '=', body.subject)
      .execute();
    expect(rows).toHaveLength(1);
    // The database holds neither the key nor the token as they are.
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(JSON.stringify(rows)).not.toContain(receipt.statusToken);
    const acks = await ctx.database.db
      .selectFrom('inquiries.outbox')
      .select('payload')
      .where('name', '=', 'email.send')
      .where(sql<boolean>`payload->'data'->>'reference' = ${receipt.reference}`)
      .execute();
    expect(acks).toHaveLength(1);

    // A first request and its twin at once: one inquiry, whichever commits first.
    const twinKey = `twin-${randomUUID()}`;
    const twinBody = { ...body, subject: `Twins ${twinKey}` };
    const twins = await Promise.all([send(twinBody, twinKey), send(twinBody, twinKey)]);
    expect(twins.map((r) => r.status)).toEqual([201, 201]);
    expect(twins.map((r) => r.headers.get('idempotent-replayed')).sort()).toEqual(
      ['true', null].sort(),
    );
    const [a, b] = (await Promise.all(twins.map((r) => r.json()))) as InquiryReceipt[];
    expect(a).toEqual(b);
    expect(
      await ctx.database.db
        .selectFrom('inquiries.inquiry')
        .select('id')
        .where('subject', '=', twinBody.subject)
        .execute(),
    ).toHaveLength(1);

    // The key with another request is refused, writing nothing.
    await expectProblem(await send({ ...body, message: 'Something else.' }), 409, 'conflict');
    // A key too short to keep a receipt safe is refused before anything is read.
    await expectProblem(
      await send({ ...body, subject: `Short key ${key}` }, 'abc'),
      400,
      'bad-request',
    );
    expect(
      await ctx.database.db
        .selectFrom('inquiries.inquiry')
        .select('id')
        .where('subject', 'in', [body.subject, `Short key ${key}`])
        .execute(),
    ).toHaveLength(1);
  });

  it('numbers references consecutively', async () => {
    const a = (await (await post('/inquiries', valid)).json()) as InquiryReceipt;
    const b = (await (await post('/inquiries', valid)).json()) as InquiryReceipt;
    expect(Number(b.reference.slice(-6))).toBe(Number(a.reference.slice(-6)) + 1);
  });

  it("checks the category's own fields, naming each bad one (400)", async () => {
    const before = await count('inquiries.inquiry');
    const res = await post('/inquiries', {
      ...valid,
      category: 'mobility',
      fields: { direction: 'sideways', colour: 'blue' },
    });
    const problem = await expectProblem(res, 400, 'validation-error');
    expect(problem.errors?.map((e) => e.field).sort()).toEqual([
      'fields.colour',
      'fields.direction',
      'fields.level',
    ]);
    const missing = await post('/inquiries', { ...valid, email: 'nope', fields: {} });
    const p2 = await expectProblem(missing, 400, 'validation-error');
    expect(p2.errors?.map((e) => e.field).sort()).toEqual(['email', 'fields.outlet']);
    expect(await count('inquiries.inquiry')).toBe(before);
  });

  it('refuses a name with paragraphs or a link, and a subject over two lines: nothing stored, nothing mailed', async () => {
    // The acknowledgement greets the inquirer by name, at an address no one has proven.
    const before = await count('inquiries.inquiry');
    for (const [field, value] of [
      ['name', 'Aiko\n\nACTION REQUIRED: pay at https://pay.example/confirm'],
      ['name', 'Aiko https://pay.example/confirm'],
      ['subject', 'Question\r\nBcc: everyone@example.org'],
    ] as const) {
      const problem = await expectProblem(
        await post('/inquiries', { ...valid, [field]: value }),
        400,
        'validation-error',
      );
      expect(problem.errors?.map((e) => e.field)).toEqual([field]);
    }
    expect(await count('inquiries.inquiry')).toBe(before);
  });

  it('refuses a filled-in honeypot and stores nothing', async () => {
    const before = await count('inquiries.inquiry');
    const res = await post('/inquiries', { ...valid, website: 'http://spam.example' });
    const problem = await expectProblem(res, 400, 'validation-error');
    expect(problem.errors).toEqual([
      expect.objectContaining({ field: 'website', code: 'honeypot' }),
    ]);
    const form = await postForm(
      '/inquiries',
      formOf(mediaForm({ website: 'x' }), [[pdf, 'a.pdf', 'application/pdf']]),
    );
    await expectProblem(form, 400, 'validation-error');
    expect(await count('inquiries.inquiry')).toBe(before);
    expect(await storedFiles()).toEqual([]);
  });
});

describe('attachments', () => {
  it('takes a multipart submission with files, shown on the status page and downloadable only as attachments', async () => {
    const res = await postForm(
      '/inquiries',
      formOf(mediaForm(), [
        [pdf, 'brief.pdf', 'application/pdf'],
        [png, 'logo.png', 'image/png'],
      ]),
    );
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as InquiryReceipt;
    expect(await storedFiles()).toHaveLength(2);

    const status = (await (
      await fetch(`${ctx.running.url}/inquiries/status/${receipt.statusToken}`)
    ).json()) as InquiryStatus;
    expect(status).toMatchObject({ reference: receipt.reference, state: 'new', language: 'ja' });
    const files = status.messages[0]?.attachments ?? [];
    expect(files.map((f) => [f.filename, f.contentType, f.size])).toEqual([
      ['brief.pdf', 'application/pdf', pdf.length],
      ['logo.png', 'image/png', png.length],
    ]);

    const download = await fetch(
      `${ctx.running.url}/inquiries/status/${receipt.statusToken}/attachments/${files[0]?.id}`,
    );
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(
      /^attachment; filename="brief.pdf"/,
    );
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });

  describe('refused, with nothing stored (no row, no file)', () => {
    let before: { inquiries: number; attachments: number; files: number };
    beforeEach(async () => {
      before = {
        inquiries: await count('inquiries.inquiry'),
        attachments: await count('inquiries.attachment'),
        files: (await storedFiles()).length,
      };
    });
    afterEach(async () => {
      expect(await count('inquiries.inquiry')).toBe(before.inquiries);
      expect(await count('inquiries.attachment')).toBe(before.attachments);
      expect((await storedFiles()).length).toBe(before.files);
    });

    it('a file over the size limit: 413', async () => {
      const big = Buffer.concat([pdf, Buffer.alloc(20_001 - pdf.length, 0x20)]);
      const res = await postForm(
        '/inquiries',
        formOf(mediaForm(), [
          [pdf, 'ok.pdf', 'application/pdf'],
          [big, 'big.pdf', 'application/pdf'],
        ]),
      );
      const problem = await expectProblem(res, 413, 'payload-too-large');
      expect(problem.errors?.[0]?.field).toBe('attachments');
    });

    it('a disallowed type disguised with an allowed extension and type: 415', async () => {
      const res = await postForm(
        '/inquiries',
        formOf(mediaForm(), [
          [pdf, 'ok.pdf', 'application/pdf'],
          [exe, 'report.pdf', 'application/pdf'],
        ]),
      );
      const problem = await expectProblem(res, 415, 'unsupported-media-type');
      expect(problem.errors).toEqual([
        expect.objectContaining({ field: 'attachments.1', code: 'type_not_allowed' }),
      ]);
    });

    it('too many files: 413', async () => {
      const res = await postForm(
        '/inquiries',
        formOf(mediaForm(), [
          [pdf, 'a.pdf', 'application/pdf'],
          [pdf, 'b.pdf', 'application/pdf'],
          [png, 'c.png', 'image/png'],
        ]),
      );
      const problem = await expectProblem(res, 413, 'payload-too-large');
      expect(problem.errors).toEqual([
        expect.objectContaining({ field: 'attachments', code: 'too_many' }),
      ]);
    });

    it('a valid file with bad form fields: 400', async () => {
      const res = await postForm(
        '/inquiries',
        formOf(mediaForm({ 'fields.outlet': '' }), [[pdf, 'a.pdf', 'application/pdf']]),
      );
      const problem = await expectProblem(res, 400, 'validation-error');
      expect(problem.errors?.map((e) => e.field)).toEqual(['fields.outlet']);
    });
  });
});

describe('malformed bodies', () => {
  it('answers a broken or odd multipart body with a 4xx problem, never a 5xx', async () => {
    const before = await count('inquiries.inquiry');
    const raw = (body: string, type = 'multipart/form-data; boundary=XyZ') =>
      fetch(`${ctx.running.url}/inquiries`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
    const statuses = [
      (await raw('--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nA')).status,
      (await raw('not multipart at all')).status,
      (await raw('x', 'multipart/form-data')).status,
      (
        await raw(
          '--XyZ\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n--XyZ--\r\n',
        )
      ).status,
      (
        await raw(
          '--XyZ\r\nContent-Disposition: form-data; name="fields"\r\n\r\n{not json\r\n--XyZ--\r\n',
        )
      ).status,
      (
        await raw(
          '--XyZ\r\nContent-Disposition: form-data; name="other"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--XyZ--\r\n',
        )
      ).status,
    ];
    for (const status of statuses) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
    expect(await count('inquiries.inquiry')).toBe(before);
  });
});

describe('the status page', () => {
  const submit = async () => (await (await post('/inquiries', valid)).json()) as InquiryReceipt;
  const statusOf = async (token: string) =>
    (await (await fetch(`${ctx.running.url}/inquiries/status/${token}`)).json()) as InquiryStatus;
  const idOf = async (reference: string) =>
    (
      await ctx.database.db
        .selectFrom('inquiries.inquiry')
        .select('id')
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow()
    ).id;

  it('shows the public thread and never an internal note', async () => {
    const receipt = await submit();
    const id = await idOf(receipt.reference);
    await ctx.database.db
      .insertInto('inquiries.message')
      .values([
        {
          inquiryId: id,
          authorKind: 'staff',
          authorId: 'staff-1',
          visibility: 'internal',
          channel: 'desk',
          body: 'INTERNAL: check with legal',
        },
        {
          inquiryId: id,
          authorKind: 'staff',
          authorId: 'staff-1',
          visibility: 'public',
          channel: 'desk',
          body: 'Thank you, we will call you.',
        },
      ])
      .execute();
    const status = await statusOf(receipt.statusToken);
    expect(status.messages.map((m) => [m.from, m.body])).toEqual([
      ['inquirer', valid.message],
      ['staff', 'Thank you, we will call you.'],
    ]);
    const raw = JSON.stringify(status);
    expect(raw).not.toContain('INTERNAL');
    expect(raw).not.toContain('staff-1');
    expect(raw).not.toContain('ingrid.berg');
  });

  it('takes a follow-up that reopens a resolved inquiry', async () => {
    const receipt = await submit();
    const id = await idOf(receipt.reference);
    await ctx.database.db
      .updateTable('inquiries.inquiry')
      .set({ state: 'resolved' })
      .where('id', '=', id)
      .execute();
    const res = await post(`/inquiries/status/${receipt.statusToken}/messages`, {
      message: 'One more question.',
    });
    expect(res.status).toBe(201);
    const status = (await res.json()) as InquiryStatus;
    expect(status.state).toBe('open');
    expect(status.messages.at(-1)).toMatchObject({ from: 'inquirer', body: 'One more question.' });
    const events = await ctx.database.db
      .selectFrom('inquiries.outbox')
      .select(['name', 'payload'])
      .where('name', '=', 'inquiry.state-changed')
      .where(sql<boolean>`payload->>'id' = ${id}`)
      .execute();
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ state: 'open', previousState: 'resolved' }),
    ]);
  });

  it('takes a follow-up with a file, and refuses one on a closed inquiry (409)', async () => {
    const receipt = await submit();
    const withFile = await postForm(
      `/inquiries/status/${receipt.statusToken}/messages`,
      formOf({ message: 'The brochure.' }, [[pdf, 'brochure.pdf', 'application/pdf']]),
    );
    expect(withFile.status).toBe(201);
    expect(((await withFile.json()) as InquiryStatus).messages.at(-1)?.attachments).toHaveLength(1);

    await ctx.database.db
      .updateTable('inquiries.inquiry')
      .set({ state: 'closed' })
      .where('id', '=', await idOf(receipt.reference))
      .execute();
    const files = (await storedFiles()).length;
    const res = await postForm(
      `/inquiries/status/${receipt.statusToken}/messages`,
      formOf({ message: 'Again.' }, [[pdf, 'again.pdf', 'application/pdf']]),
    );
    await expectProblem(res, 409, 'conflict');
    expect((await storedFiles()).length).toBe(files);
  });

  it('takes at most 3 follow-ups and 25 KB of files per inquiry (as configured), then asks for a new inquiry (409), storing nothing', async () => {
    const receipt = await submit();
    const followUp = (message: string, files: [Buffer, string, string][] = []) =>
      postForm(`/inquiries/status/${receipt.statusToken}/messages`, formOf({ message }, files));
    const file = Buffer.concat([pdf, Buffer.alloc(12_000 - pdf.length, 0x20)]);
    expect((await followUp('One', [[file, 'one.pdf', 'application/pdf']])).status).toBe(201);
    expect((await followUp('Two', [[file, 'two.pdf', 'application/pdf']])).status).toBe(201);
    const held = async () => ({
      messages: await count('inquiries.message'),
      attachments: await count('inquiries.attachment'),
      files: (await storedFiles()).length,
    });
    const before = await held();
    // Refused before a file is written (a full inquiry costs the disk nothing).
    const puts = jest.spyOn(ctx.running.app.get<FileStore>(FILE_STORE), 'put');
    const tooBig = await expectProblem(
      await followUp('Three', [[file, 'three.pdf', 'application/pdf']]),
      409,
      'conflict',
    );
    expect(puts).not.toHaveBeenCalled();
    puts.mockRestore();
    expect(tooBig).toMatchObject({ reason: 'inquiry-full' });
    expect(tooBig.detail).toContain(`inquiry ${receipt.reference} takes no more`);
    expect(tooBig.detail).toContain('25 KB');
    expect(await held()).toEqual(before);

    expect((await followUp('Three, without the file')).status).toBe(201);
    const tooMany = await expectProblem(await followUp('Four'), 409, 'conflict');
    expect(tooMany).toMatchObject({ reason: 'inquiry-full' });
    expect(tooMany.detail).toContain('3 follow-up messages');
    const thread = (await statusOf(receipt.statusToken)).messages.map((m) => m.body);
    expect(thread.slice(-3)).toEqual(['One', 'Two', 'Three, without the file']);
  });

  it('names a file sent without a file name after its type (the fuzz suite: a nameless octet-stream part answered 500)', async () => {
    const receipt = await submit();
    const res = await postForm(
      `/inquiries/status/${receipt.statusToken}/messages`,
      // No type and no name: fetch sends an application/octet-stream part without `filename`.
      formOf({ message: 'Unnamed.' }, [[pdf, '', '']]),
    );
    expect(res.status).toBe(201);
    const attachments = ((await res.json()) as InquiryStatus).messages.at(-1)?.attachments;
    expect(attachments?.map((a) => [a.filename, a.contentType])).toEqual([
      ['attachment.pdf', 'application/pdf'],
    ]);
  });

  it('never writes the status token into a log line, percent-encoded or not', async () => {
    const receipt = await submit();
    const token = receipt.statusToken;
    // The same link with its first letter percent-encoded: the route still finds the inquiry.
    const encoded = `%${token.charCodeAt(0).toString(16)}${token.slice(1)}`;
    for (const [id, path] of [
      ['status-log-1', `/inquiries/status/${token}?lang=en`],
      ['status-log-2', `/inquiries/status/${encoded}`],
    ] as const) {
      const res = await fetch(`${ctx.running.url}${path}`, { headers: { 'x-request-id': id } });
      expect(res.status).toBe(200);
      // Nor does a cache keep the thread under its secret URL.
      expect(res.headers.get('cache-control')).toBe('private, no-store');
    }
    const completed = () =>
      ctx.running.logs.lines.filter(
        (l) => String(l.requestId).startsWith('status-log-') && l.msg === 'request completed',
      );
    await waitFor(() => completed().length === 2, 'the two completion lines');
    expect(completed().map((l) => (l as { req?: { url?: string } }).req?.url)).toEqual([
      '/inquiries/status/:token?lang=en',
      '/inquiries/status/:token',
    ]);
    const logged = JSON.stringify(ctx.running.logs.lines);
    expect(logged).not.toContain(token.slice(1));
  });

  it('answers 404 for an unknown token and 400 for a malformed one', async () => {
    const unknown = 'A'.repeat(43);
    await expectProblem(
      await fetch(`${ctx.running.url}/inquiries/status/${unknown}`),
      404,
      'not-found',
    );
    await expectProblem(
      await fetch(`${ctx.running.url}/inquiries/status/short`),
      400,
      'validation-error',
    );
  });
});
