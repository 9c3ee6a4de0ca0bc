import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SymposiumClient } from '@sp/client';
import {
  expectProblem,
  factories,
  staffToken,
  symposiumClient,
  unchecked,
  useTestApp,
  waitFor,
} from '@sp/testing';
import { appModule, description } from '../src/app.module';
import { DocumentsService } from '../src/documents/documents.service';

const storage = mkdtempSync(join(tmpdir(), 'sp-symposium-docs-'));
afterAll(() => rmSync(storage, { recursive: true, force: true }));
// The service's own settings ride along with the platform's.
const env = {
  LOG_LEVEL: 'warn' as const,
  STORAGE_DIR: storage,
  DOCUMENT_MAX_BYTES: '4096',
  DOCUMENT_UPLOAD_CONCURRENCY: '1',
  DOCUMENT_UPLOADS_WAITING: '1',
};
const ctx = useTestApp(appModule, description, { env });
const make = factories(ctx);

let staff: SymposiumClient;
let staffBearer: string;
beforeAll(async () => {
  staffBearer = await staffToken('staff');
  staff = symposiumClient(ctx, staffBearer);
});

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');
const html = Buffer.from('<!doctype html><html><script>alert(1)</script></html>');

const upload = (path: string, file: Buffer, name: string, ifMatch = '*') => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file)]), name);
  return fetch(`${ctx.running.url}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${staffBearer}`, 'if-match': ifMatch },
    body: form,
  });
};

const storedFiles = () =>
  readdirSync(storage, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());

describe('link documents', () => {
  it('adds a link document as a draft, publishes it, and shows the public only published ones', async () => {
    const s = await make.symposium({ status: 'held' });
    const created = await staff.POST('/symposiums/{id}/documents', {
      params: { path: { id: s.id } },
      body: {
        kind: 'slides',
        language: 'ja',
        title: { ja: '発表資料' },
        url: 'https://www.u-tokyo.ac.jp/slides.pdf',
      },
    });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ published: false, title: { en: null, ja: '発表資料' } });
    const publicTitles = async () =>
      (
        await symposiumClient(ctx).GET('/symposiums/{id}', {
          params: { path: { id: s.id } },
          headers: { 'Accept-Language': 'en' },
        })
      ).data!.documents.map((d) => d.title);
    expect(await publicTitles()).toEqual([]);
    const published = await staff.PATCH('/symposiums/{id}/documents/{documentId}', {
      params: {
        path: { id: s.id, documentId: created.data!.id },
        header: { 'If-Match': `"${created.data!.version}"` },
      },
      body: { published: true },
    });
    expect(published.response.status).toBe(200);
    expect(await publicTitles()).toEqual([{ text: '発表資料', lang: 'ja', fallback: true }]);
  });

  it('refuses publishing a document with nothing to show, a bad URL and an unknown symposium', async () => {
    const s = await make.symposium({ status: 'held' });
    const empty = await staff.POST('/symposiums/{id}/documents', {
      params: { path: { id: s.id } },
      body: { kind: 'report', language: 'en', title: { en: 'Report' }, published: true },
    });
    expectProblem(empty, 400, 'validation-error', ['body:published']);
    const badUrl = await staff.POST('/symposiums/{id}/documents', {
      params: { path: { id: s.id } },
      body: unchecked({ kind: 'report', language: 'en', title: { en: 'R' }, url: 'javascript:x' }),
    });
    expectProblem(badUrl, 400, 'validation-error', ['body:url']);
    const unknown = await staff.POST('/symposiums/{id}/documents', {
      params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
      body: { kind: 'report', language: 'en', title: { en: 'R' } },
    });
    expectProblem(unknown, 404, 'not-found');
    const rows = await ctx.database.db
      .selectFrom('symposium.document')
      .select('id')
      .where('symposiumId', '=', s.id)
      .execute();
    expect(rows).toEqual([]);
  });
});

describe('uploaded files', () => {
  it('stores a PDF checked by content and serves it only as an attachment', async () => {
    const s = await make.symposium({ status: 'report-published' });
    const doc = await make.symposiumDocument(s.id, { title: 'Report', published: false });
    const res = await upload(`/symposiums/${s.id}/documents/${doc.id}/file`, pdf, 'report.html');
    expect(res.status).toBe(200);
    const record = (await res.json()) as { file: { contentType: string; href: string } };
    expect(record.file).toMatchObject({ contentType: 'application/pdf', sizeBytes: pdf.length });

    // A draft's file is staff's only.
    expect((await fetch(`${ctx.running.url}${record.file.href}`)).status).toBe(404);
    await staff.PATCH('/symposiums/{id}/documents/{documentId}', {
      params: { path: { id: s.id, documentId: doc.id }, header: { 'If-Match': '*' } },
      body: { published: true },
    });
    const download = await fetch(`${ctx.running.url}${record.file.href}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toMatch(
      /^attachment; filename="report.html"/,
    );
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('takes the ids in the path in upper case too, as the same document (found by the fuzz suite: a 500)', async () => {
    const s = await make.symposium({ status: 'held' });
    const doc = await make.symposiumDocument(s.id, { published: false });
    const path = `/symposiums/${s.id.toUpperCase()}/documents/${doc.id.toUpperCase()}/file`;
    const res = await upload(path, pdf, 'upper.pdf');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: doc.id, file: { sizeBytes: pdf.length } });
    // The document's audit trail, found by its id as stored, has the upload.
    const audit = await ctx.database.db
      .selectFrom('symposium.auditLog')
      .select('action')
      .where('entityId', '=', doc.id)
      .execute();
    expect(audit.map((a) => a.action)).toContain('attach-file');
  });

  it('refuses HTML, an oversized file and a missing part, storing nothing', async () => {
    const s = await make.symposium({ status: 'held' });
    const doc = await make.symposiumDocument(s.id, { published: false });
    const path = `/symposiums/${s.id}/documents/${doc.id}/file`;
    const before = storedFiles().length;

    const asHtml = await upload(path, html, 'slides.pdf');
    expect(asHtml.status).toBe(415);
    expect(await asHtml.json()).toMatchObject({
      type: '/problems/unsupported-media-type',
      errors: [expect.objectContaining({ field: 'file' })],
    });
    const big = Buffer.concat([pdf, Buffer.alloc(5000, 32)]);
    const tooBig = await upload(path, big, 'big.pdf');
    expect(tooBig.status).toBe(413);
    const noPart = await fetch(`${ctx.running.url}${path}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${staffBearer}`,
        'if-match': '*',
        'content-type': 'application/json',
      },
      body: '{}',
    });
    // The validation problem naming the file, not "the connection closed" (helper-53: a JSON
    // body is read whole before the handler, so its request reads as closed).
    expectProblem({ response: noPart, error: await noPart.json() }, 400, 'validation-error', [
      'file',
    ]);
    const stale = await upload(path, pdf, 'r.pdf', '"99"');
    expect(stale.status).toBe(412);

    expect(storedFiles().length).toBe(before);
    const row = await ctx.database.db
      .selectFrom('symposium.document')
      .select(['storageKey', 'version'])
      .where('id', '=', doc.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ storageKey: null, version: '1' });
  });

  it('refuses an unknown document or a stale If-Match before it writes the file', async () => {
    const s = await make.symposium({ status: 'held' });
    const doc = await make.symposiumDocument(s.id, { published: false });
    const ghost = randomUUID();
    // A file where each document's folder would be: writing the upload there fails, so an
    // answer other than the refusal (a 500) means the service tried to store it first.
    const folders = join(storage, 'symposium/documents');
    mkdirSync(folders, { recursive: true });
    for (const id of [doc.id, ghost]) writeFileSync(join(folders, id), '');
    try {
      const unknown = await upload(`/symposiums/${s.id}/documents/${ghost}/file`, pdf, 'g.pdf');
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ type: '/problems/not-found' });
      const stale = await upload(
        `/symposiums/${s.id}/documents/${doc.id}/file`,
        pdf,
        'r.pdf',
        '"9"',
      );
      expect(stale.status).toBe(412);
      expect(await stale.json()).toMatchObject({ type: '/problems/precondition-failed' });
    } finally {
      for (const id of [doc.id, ghost]) rmSync(join(folders, id));
    }
  });

  it('replaces a file by a link and removes the file with the document', async () => {
    const s = await make.symposium({ status: 'held' });
    const doc = await make.symposiumDocument(s.id, { published: false });
    const path = `/symposiums/${s.id}/documents/${doc.id}/file`;
    const before = storedFiles().length;
    expect((await upload(path, pdf, 'a.pdf')).status).toBe(200);
    expect((await upload(path, pdf, 'b.pdf')).status).toBe(200);
    expect(storedFiles().length).toBe(before + 1);
    const linked = await staff.PATCH('/symposiums/{id}/documents/{documentId}', {
      params: { path: { id: s.id, documentId: doc.id }, header: { 'If-Match': '*' } },
      body: { url: 'https://www.youtube.com/watch?v=x' },
    });
    expect(linked.data).toMatchObject({ url: 'https://www.youtube.com/watch?v=x', file: null });
    expect(storedFiles().length).toBe(before);
    expect((await upload(path, pdf, 'c.pdf')).status).toBe(200);
    const removed = await staff.DELETE('/symposiums/{id}/documents/{documentId}', {
      params: { path: { id: s.id, documentId: doc.id }, header: { 'If-Match': '*' } },
    });
    expect(removed.response.status).toBe(204);
    expect(storedFiles().length).toBe(before);
  });
});

describe('uploads at once', () => {
  it('reads one upload at a time; with one waiting, another is a 503 to retry; one whose client leaves gives up its place', async () => {
    const s = await make.symposium({ status: 'held' });
    const draft = async (title: string) =>
      (
        await staff.POST('/symposiums/{id}/documents', {
          params: { path: { id: s.id } },
          body: { kind: 'slides', language: 'en', title: { en: title } },
        })
      ).data!.id;
    const [a, b, c, d] = [await draft('A'), await draft('B'), await draft('C'), await draft('D')];
    const path = (documentId: string) => `/symposiums/${s.id}/documents/${documentId}/file`;
    const uploads = ctx.running.app.get(DocumentsService);

    // A's body comes slowly: its head and a few bytes, the rest when the test says.
    const boundary = 'sp-slow-upload';
    let sendRest!: () => void;
    const rest = new Promise<void>((resolve) => (sendRest = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(
          new TextEncoder().encode(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n` +
              'Content-Type: application/pdf\r\n\r\n',
          ),
        );
        controller.enqueue(new Uint8Array(pdf.subarray(0, 10)));
        await rest;
        controller.enqueue(new Uint8Array(pdf.subarray(10)));
        controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
        controller.close();
      },
    });
    const slow = fetch(`${ctx.running.url}${path(a)}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${staffBearer}`,
        'if-match': '*',
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      body,
      duplex: 'half',
    });
    await waitFor(() => uploads.uploadsNow.reading === 1, 'the slow upload to be read');
    const leaving = new AbortController();
    const left = fetch(`${ctx.running.url}${path(b)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${staffBearer}`, 'if-match': '*' },
      body: (() => {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(pdf)]), 'b.pdf');
        return form;
      })(),
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    await waitFor(() => uploads.uploadsNow.waiting === 1, 'the second upload to wait');

    const refused = await upload(path(c), pdf, 'c.pdf');
    expectProblem({ response: refused, error: await refused.json() }, 503, 'service-unavailable');
    expect(refused.headers.get('retry-after')).toBe('30');

    // The waiting client gives up: its place is free for the next (before, its slot was held
    // for good once its turn came, the multipart reader waiting on a closed request).
    leaving.abort();
    expect(await left).toMatchObject({ name: 'AbortError' });
    await waitFor(() => uploads.uploadsNow.waiting === 0, 'the aborted upload to leave the line');
    const waiting = upload(path(d), pdf, 'd.pdf');
    await waitFor(() => uploads.uploadsNow.waiting === 1, 'the next upload to wait');

    sendRest();
    const stored = async (answer: Promise<Response>) => {
      const res = await answer;
      return { status: res.status, body: (await res.json()) as { file: { sizeBytes: number } } };
    };
    expect(await stored(slow)).toMatchObject({
      status: 200,
      body: { file: { sizeBytes: pdf.length } },
    });
    expect(await stored(waiting)).toMatchObject({
      status: 200,
      body: { file: { sizeBytes: pdf.length } },
    });
    expect(uploads.uploadsNow).toEqual({ reading: 0, waiting: 0 });
    const files = await ctx.database.db
      .selectFrom('symposium.document')
      .select(['id', 'storageKey'])
      .where('id', 'in', [a, b, c, d])
      .execute();
    expect(Object.fromEntries(files.map((f) => [f.id, f.storageKey !== null]))).toEqual({
      [a]: true,
      [b]: false,
      [c]: false,
      [d]: true,
    });
    // And the next upload is read at once.
    expect((await upload(path(c), pdf, 'c.pdf')).status).toBe(200);
  });
});
