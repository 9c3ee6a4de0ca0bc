import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staffToken, useTestApp, waitForLockWait } from '@sp/testing';
import type { InboundList, InboundMessage, InquiryReceipt, InquiryStatus } from '@sp/types';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { sql } from 'kysely';
import { appModule, description } from '../src/app.module';
import { InboundMailListener } from '../src/inbound-mail/inbound-mail.listener';
import { InboundMailService } from '../src/inbound-mail/inbound-mail.service';

/** Replies by mail, sent as real SMTP to the service's inbound listener. */
const storage = join(tmpdir(), `inquiries-inbound-${process.pid}-${Date.now()}`);
const ctx = useTestApp(appModule, description, {
  env: {
    STORAGE_DIR: storage,
    INBOUND_SMTP_PORT: '0',
    RATE_LIMIT_PUBLIC_PER_MINUTE: '1000',
  } as Record<string, string>,
});
afterAll(() => rm(storage, { recursive: true, force: true }));

const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);

let staff = '';
beforeAll(async () => {
  staff = await staffToken('staff');
});

/** Sends one mail over SMTP to the service's inbound listener. */
async function deliver(mail: Mail.Options): Promise<void> {
  const port = ctx.running.app.get(InboundMailListener).port;
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

const send = (mail: Mail.Options) => deliver({ to: 'inquiries@example.ac.jp', ...mail });

/** A mail sent as it is, every byte and header ours (nodemailer would fix some of them up). */
const sendRaw = (raw: string, from: string | false = 'sender@example.org') =>
  deliver({
    envelope: { from: from === false ? '' : from, to: 'inquiries@example.ac.jp' },
    raw: raw.replaceAll(/\r?\n/g, '\r\n'),
  });

const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

async function submit(email = 'maria.lopez@example.es'): Promise<{
  receipt: InquiryReceipt;
  id: string;
  ackMessageId: string;
}> {
  const res = await fetch(`${ctx.running.url}/inquiries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'María López',
      email,
      language: 'en',
      category: 'other',
      subject: 'Visiting the campus',
      message: 'When could we visit?',
    }),
  });
  expect(res.status).toBe(201);
  const receipt = (await res.json()) as InquiryReceipt;
  const row = await ctx.database.db
    .selectFrom('inquiries.inquiry')
    .select('id')
    .where('reference', '=', receipt.reference)
    .executeTakeFirstOrThrow();
  const ack = await ctx.database.db
    .selectFrom('inquiries.mailThread')
    .select('messageId')
    .where('inquiryId', '=', row.id)
    .executeTakeFirstOrThrow();
  return { receipt, id: row.id, ackMessageId: ack.messageId };
}

const statusOf = async (token: string) =>
  (await (await fetch(`${ctx.running.url}/inquiries/status/${token}`)).json()) as InquiryStatus;

const setState = (id: string, state: 'resolved' | 'closed') =>
  ctx.database.db.updateTable('inquiries.inquiry').set({ state }).where('id', '=', id).execute();

const pending = async () => {
  const res = await fetch(`${ctx.running.url}/inquiries/inbound?limit=200`, {
    headers: { authorization: `Bearer ${staff}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as InboundList).items;
};

describe('replies by mail', () => {
  it('threads a reply to the acknowledgement into the inquiry, with its file, and reopens it', async () => {
    const { receipt, id, ackMessageId } = await submit();
    await setState(id, 'resolved');
    await send({
      from: 'María López <maria.lopez@example.es>',
      subject: `Re: We received your inquiry ${receipt.reference}`,
      // The quoted acknowledgement under the reply is not kept: it is in the thread already.
      text: 'Thank you! One more thing: the attached programme.\n\nOn Tue, 1 Dec 2026, IPPG <ippg@example.ac.jp> wrote:\n> We received your inquiry\n',
      inReplyTo: ackMessageId,
      references: [ackMessageId],
      messageId: '<reply-1@mail.example.es>',
      attachments: [{ filename: 'programme.pdf', content: pdf }],
    });
    const status = await statusOf(receipt.statusToken);
    expect(status.state).toBe('open');
    expect(status.messages.at(-1)).toMatchObject({
      from: 'inquirer',
      body: 'Thank you! One more thing: the attached programme.',
      attachments: [
        expect.objectContaining({ filename: 'programme.pdf', contentType: 'application/pdf' }),
      ],
    });
    const message = await ctx.database.db
      .selectFrom('inquiries.message')
      .select(['channel', 'messageId', 'inReplyTo'])
      .where('messageId', '=', '<reply-1@mail.example.es>')
      .executeTakeFirstOrThrow();
    expect(message).toEqual({
      channel: 'email',
      messageId: '<reply-1@mail.example.es>',
      inReplyTo: ackMessageId,
    });

    // The same mail delivered again is taken once.
    await send({
      from: 'maria.lopez@example.es',
      subject: 'Re: again',
      text: 'Thank you! One more thing: the attached programme.',
      inReplyTo: ackMessageId,
      messageId: '<reply-1@mail.example.es>',
    });
    expect((await statusOf(receipt.statusToken)).messages).toHaveLength(2);

    // A later mail answering the inquirer's own earlier mail threads too.
    await send({
      from: 'maria.lopez@example.es',
      subject: 'follow-up',
      text: 'And a third note.',
      inReplyTo: '<reply-1@mail.example.es>',
      messageId: '<reply-2@mail.example.es>',
    });
    expect((await statusOf(receipt.statusToken)).messages.at(-1)?.body).toBe('And a third note.');
  });

  it("threads by the reference in the subject, from the inquirer's own address only", async () => {
    const { receipt } = await submit('li.wei@example.cn');
    await send({
      from: 'LI.WEI@example.cn',
      subject: `About ${receipt.reference}`,
      text: 'Written without replying.',
    });
    expect((await statusOf(receipt.statusToken)).messages.at(-1)?.body).toBe(
      'Written without replying.',
    );

    const before = (await pending()).length;
    await send({
      from: 'someone.else@example.org',
      subject: `About ${receipt.reference}`,
      text: 'Trying to write into another inquiry.',
    });
    expect((await statusOf(receipt.statusToken)).messages.at(-1)?.body).toBe(
      'Written without replying.',
    );
    const waiting = await pending();
    expect(waiting).toHaveLength(before + 1);
    expect(waiting.at(-1)).toMatchObject({
      fromAddress: 'someone.else@example.org',
      state: 'pending',
    });
  });

  it("threads a mail quoting a merged inquiry's reference into the inquiry it was merged into (helper-47)", async () => {
    const duplicate = await submit('twice@example.org');
    const kept = await submit('twice@example.org');
    await ctx.database.db
      .updateTable('inquiries.inquiry')
      .set({ state: 'closed', mergedIntoId: kept.id })
      .where('id', '=', duplicate.id)
      .execute();
    await send({
      from: 'twice@example.org',
      subject: `About ${duplicate.receipt.reference}`,
      text: 'Quoting the first reference I was given.',
    });
    expect((await statusOf(kept.receipt.statusToken)).messages.at(-1)?.body).toBe(
      'Quoting the first reference I was given.',
    );
    expect((await pending()).some((m) => m.subject.includes(duplicate.receipt.reference))).toBe(
      false,
    );
  });

  it('keeps a mail matching nothing in the review list; staff file it into an inquiry with its file', async () => {
    const { receipt, id } = await submit('anna@example.se');
    await setState(id, 'resolved');
    await send({
      from: 'Anna Svensson <anna.private@example.com>',
      subject: 'Question from my private address',
      text: 'I wrote before from my work address.',
      messageId: '<private-1@example.com>',
      attachments: [{ filename: 'cv.pdf', content: pdf }],
    });
    const waiting = (await pending()).find((m) => m.messageId === '<private-1@example.com>');
    expect(waiting).toMatchObject({
      state: 'pending',
      fromAddress: 'anna.private@example.com',
      fromName: 'Anna Svensson',
      subject: 'Question from my private address',
      inquiryId: null,
      attachments: [expect.objectContaining({ filename: 'cv.pdf' })],
    });
    const events = await ctx.database.db
      .selectFrom('inquiries.outbox')
      .select('name')
      .where(sql<boolean>`payload->>'inboundMessageId' = ${waiting?.id}`)
      .execute();
    expect(events.map((e) => e.name)).toEqual(['inquiry.inbound-unmatched']);

    const assign = (ifMatch: string) =>
      fetch(`${ctx.running.url}/inquiries/inbound/${waiting?.id}/assign`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${staff}`,
          'content-type': 'application/json',
          'if-match': ifMatch,
        },
        body: JSON.stringify({ inquiryId: id }),
      });
    expect((await assign('"999"')).status).toBe(412);
    const res = await assign(`"${waiting?.version}"`);
    expect(res.status).toBe(200);
    const filed = (await res.json()) as InboundMessage;
    expect(filed).toMatchObject({ state: 'assigned', inquiryId: id });
    expect(res.headers.get('etag')).toBe(`"${filed.version}"`);

    const status = await statusOf(receipt.statusToken);
    expect(status.state).toBe('open');
    expect(status.messages.at(-1)).toMatchObject({
      body: 'I wrote before from my work address.',
      attachments: [expect.objectContaining({ filename: 'cv.pdf' })],
    });
    expect((await pending()).some((m) => m.id === waiting?.id)).toBe(false);
    expect((await assign('*')).status).toBe(409);
  });

  it('puts a reply to a closed inquiry in the review list instead of dropping it', async () => {
    const { id, ackMessageId } = await submit('closed@example.org');
    await setState(id, 'closed');
    await send({
      from: 'closed@example.org',
      subject: 'Re: done?',
      text: 'Sorry, one more question.',
      inReplyTo: ackMessageId,
      messageId: '<late@example.org>',
    });
    expect((await pending()).find((m) => m.messageId === '<late@example.org>')).toMatchObject({
      inquiryId: id,
      state: 'pending',
    });
  });

  it('puts a reply to an inquiry that has taken its 100 follow-ups in the review list, marked with it', async () => {
    const { id, ackMessageId } = await submit('full@example.org');
    // The inquirer's 100 follow-ups (INQUIRY_MAX_FOLLOW_UPS), as the status page would add them.
    await sql`insert into inquiries.message (inquiry_id, author_kind, visibility, channel, body)
      select ${id}, 'inquirer', 'public', 'status-page', 'Follow-up ' || g
        from generate_series(1, 100) g`.execute(ctx.database.db);
    const messages = async () =>
      Number(
        (
          await ctx.database.db
            .selectFrom('inquiries.message')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('inquiryId', '=', id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await messages();
    await send({
      from: 'full@example.org',
      subject: 'Re: Visiting the campus',
      text: 'And one more thing.',
      inReplyTo: ackMessageId,
      messageId: '<one-more@example.org>',
    });
    const waiting = (await pending()).find((m) => m.messageId === '<one-more@example.org>');
    expect(waiting).toMatchObject({ inquiryId: id, state: 'pending' });
    expect(await messages()).toBe(before);
    // Staff decide: filing it into that inquiry is not held to the inquirer's limit.
    const filed = await fetch(`${ctx.running.url}/inquiries/inbound/${waiting?.id}/assign`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${staff}`,
        'content-type': 'application/json',
        'if-match': `"${waiting?.version}"`,
      },
      body: JSON.stringify({ inquiryId: id }),
    });
    expect(filed.status).toBe(200);
    expect(await messages()).toBe(before + 1);
  });

  it('refuses a mail whose attachment breaks the limits (SMTP 554), storing nothing', async () => {
    const { receipt, ackMessageId } = await submit('limits@example.org');
    const attachments = async () =>
      Number(
        (
          await ctx.database.db
            .selectFrom('inquiries.attachment')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await attachments();
    await expect(
      send({
        from: 'limits@example.org',
        subject: 'Re: the file',
        text: 'Here it is.',
        inReplyTo: ackMessageId,
        attachments: [{ filename: 'report.pdf', content: exe, contentType: 'application/pdf' }],
      }),
    ).rejects.toMatchObject({ responseCode: 554 });
    expect((await statusOf(receipt.statusToken)).messages).toHaveLength(1);
    expect(await attachments()).toBe(before);
  });

  it('lets staff set a waiting mail aside: listed as discarded, no longer pending', async () => {
    await send({
      from: 'autoreply@example.net',
      subject: 'Out of office',
      text: 'I am away until Monday.',
      messageId: '<ooo-1@example.net>',
    });
    const waiting = (await pending()).find((m) => m.messageId === '<ooo-1@example.net>');
    expect(waiting?.state).toBe('pending');
    const discard = () =>
      fetch(`${ctx.running.url}/inquiries/inbound/${waiting?.id}/discard`, {
        method: 'POST',
        headers: { authorization: `Bearer ${staff}`, 'if-match': `"${waiting?.version}"` },
      });
    const res = await discard();
    expect(res.status).toBe(200);
    expect(((await res.json()) as InboundMessage).state).toBe('discarded');
    expect((await pending()).some((m) => m.id === waiting?.id)).toBe(false);
    const listed = await fetch(`${ctx.running.url}/inquiries/inbound?state=discarded`, {
      headers: { authorization: `Bearer ${staff}` },
    });
    expect(((await listed.json()) as InboundList).items.map((m) => m.id)).toContain(waiting?.id);
    expect((await discard()).status).toBe(412);
  });
});

describe('the review list', () => {
  it('pages through waiting mails one at a time, each exactly once', async () => {
    // Postgres keeps microseconds; a cursor of milliseconds repeated each page's last mail as
    // the next page's first (found by helper-41's review), forever with limit=1.
    const received = ['2026-12-01T00:00:00.123456Z', '2026-12-01T00:00:00.123789Z'];
    const ids = (
      await ctx.database.db
        .insertInto('inquiries.inboundMessage')
        .values(
          received.map((at, i) => ({
            fromAddress: `pager${i}@example.org`,
            subject: `Paging ${i}`,
            state: 'discarded' as const,
            receivedAt: sql<Date>`${at}::timestamptz`,
          })),
        )
        .returning('id')
        .execute()
    ).map((r) => r.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const query = `state=discarded&limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await fetch(`${ctx.running.url}/inquiries/inbound?${query}`, {
        headers: { authorization: `Bearer ${staff}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as InboundList;
      seen.push(...body.items.map((m) => m.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen.filter((id) => ids.includes(id))).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('the same mail delivered twice at once', () => {
  it('keeps one copy for review; the other is a duplicate', async () => {
    // The first delivery is still storing (its row written, not committed) when the second
    // arrives: the second finds no Message-ID yet, and only the unique index can tell.
    const messageId = `<twice-${Date.now()}@mail.example.org>`;
    const service = ctx.running.app.get(InboundMailService);
    const mail = {
      from: 'twice@example.org',
      fromName: null,
      subject: 'Sent twice',
      text: 'The same mail, delivered twice.',
      messageId,
      inReplyTo: null,
      references: [],
      automatic: false,
      attachments: [],
    };
    let second: ReturnType<typeof service.receive> | undefined;
    await ctx.database.db.transaction().execute(async (first) => {
      await first
        .insertInto('inquiries.inboundMessage')
        .values({ fromAddress: mail.from, subject: mail.subject, body: mail.text, messageId })
        .execute();
      second = service.receive(mail);
      await waitForLockWait(
        first,
        ctx.database.db,
        second,
        'the second delivery to wait for the first',
      );
    });
    expect(await second!).toEqual({ outcome: 'duplicate' });
    const copies = await ctx.database.db
      .selectFrom('inquiries.inboundMessage')
      .select('id')
      .where('messageId', '=', messageId)
      .execute();
    expect(copies).toHaveLength(1);
  });
});

describe('mail that must not thread as the inquirer', () => {
  const inquiryState = async (id: string) =>
    (
      await ctx.database.db
        .selectFrom('inquiries.inquiry')
        .select('state')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).state;

  it("keeps an out-of-office answer for review, marked with its inquiry, and leaves the inquiry's state", async () => {
    const { id, ackMessageId } = await submit('away@example.org');
    await setState(id, 'resolved');
    await sendRaw(
      [
        'From: Away <away@example.org>',
        'To: inquiries@example.ac.jp',
        'Subject: Automatic reply: We received your inquiry',
        'Auto-Submitted: auto-replied',
        'Message-ID: <ooo-auto@example.org>',
        `In-Reply-To: ${ackMessageId}`,
        '',
        'I am out of the office until Monday.',
        '',
      ].join('\n'),
    );
    expect(await inquiryState(id)).toBe('resolved');
    expect((await pending()).find((m) => m.messageId === '<ooo-auto@example.org>')).toMatchObject({
      inquiryId: id,
      state: 'pending',
    });

    // A bounce (null envelope sender) likewise.
    await sendRaw(
      [
        'From: Mail Delivery System <mailer-daemon@example.org>',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <bounce-1@example.org>',
        `References: ${ackMessageId}`,
        '',
        'The mail could not be delivered.',
        '',
      ].join('\n'),
      false,
    );
    expect(await inquiryState(id)).toBe('resolved');
    expect((await pending()).some((m) => m.messageId === '<bounce-1@example.org>')).toBe(true);
  });

  it('takes a mail bearing one of our own Message-IDs as already had, so it cannot take over that thread', async () => {
    const victim = await submit('victim@example.org');
    const other = await submit('other@example.org');
    // A mail dressed as our acknowledgement to the victim, sent into the other inquiry.
    await send({
      from: 'other@example.org',
      subject: `Re: ${other.receipt.reference}`,
      text: 'planted',
      messageId: victim.ackMessageId,
    });
    expect((await statusOf(other.receipt.statusToken)).messages).toHaveLength(1);
    // The victim's reply to our acknowledgement still lands in the victim's inquiry.
    await send({
      from: 'victim@example.org',
      subject: 'Re: We received your inquiry',
      text: 'my passport scan',
      inReplyTo: victim.ackMessageId,
      references: [victim.ackMessageId],
      messageId: '<victim-reply@example.org>',
    });
    expect((await statusOf(victim.receipt.statusToken)).messages.at(-1)?.body).toBe(
      'my passport scan',
    );
    expect((await statusOf(other.receipt.statusToken)).messages).toHaveLength(1);

    // A mail whose headers name both threads goes to staff, not to either inquiry.
    await send({
      from: 'victim@example.org',
      subject: 'Re: both',
      text: 'which one?',
      references: [victim.ackMessageId, other.ackMessageId],
      messageId: '<both@example.org>',
    });
    expect((await pending()).find((m) => m.messageId === '<both@example.org>')).toMatchObject({
      inquiryId: null,
    });
  });

  it('ignores a Message-ID of another shape, so the next staff reply still goes out', async () => {
    const { id, receipt, ackMessageId } = await submit('odd-id@example.org');
    await sendRaw(
      [
        'From: odd-id@example.org',
        'Subject: Re: odd',
        'Message-ID: <no-at-sign.12345>',
        `In-Reply-To: ${ackMessageId}`,
        '',
        'A reply with an odd id.',
        '',
      ].join('\n'),
    );
    const messages = (await statusOf(receipt.statusToken)).messages;
    expect(messages.at(-1)?.body).toBe('A reply with an odd id.');
    const reply = await fetch(`${ctx.running.url}/inquiries/${id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/json' },
      body: JSON.stringify({ visibility: 'public', body: 'Thank you, noted.' }),
    });
    expect(reply.status).toBe(201);
  });

  it('stores text with U+0000 without it, and names a nameless file from its content', async () => {
    const { receipt, ackMessageId } = await submit('nul@example.org');
    await sendRaw(
      [
        'From: nul@example.org',
        'Subject: Re: with a NUL',
        'Message-ID: <nul-1@example.org>',
        `In-Reply-To: ${ackMessageId}`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'a=00b',
        '--b',
        'Content-Type: image/png',
        'Content-Disposition: attachment',
        'Content-Transfer-Encoding: base64',
        '',
        png.toString('base64'),
        '--b--',
        '',
      ].join('\n'),
    );
    expect((await statusOf(receipt.statusToken)).messages.at(-1)).toMatchObject({
      body: 'ab',
      attachments: [
        expect.objectContaining({ filename: 'attachment.png', contentType: 'image/png' }),
      ],
    });
  });

  it('refuses for good (5xx, not 451) a mail that can never be read', async () => {
    const depth = 2_000;
    const open = Array.from(
      { length: depth },
      (_, i) => `Content-Type: multipart/mixed; boundary="n${i}"\n\n--n${i}`,
    ).join('\n');
    const raw = `From: deep@example.org\nSubject: deep\nMessage-ID: <deep@example.org>\nMIME-Version: 1.0\n${open}\nContent-Type: text/plain\n\nhi\n`;
    await expect(sendRaw(raw)).rejects.toMatchObject({ responseCode: 550 });
  });

  it("holds a mail's text to the form's 20,000 characters, saying it was cut (helper-48)", async () => {
    const { receipt, ackMessageId } = await submit('long@example.org');
    await send({
      from: 'long@example.org',
      subject: 'Re: long',
      text: 'x'.repeat(30_000),
      inReplyTo: ackMessageId,
      messageId: '<long-1@example.org>',
    });
    const body = (await statusOf(receipt.statusToken)).messages.at(-1)?.body ?? '';
    expect(body.length).toBe(20_000);
    expect(body).toMatch(/The rest of this mail was cut/);
  });

  it('lists each waiting mail with its own files only', async () => {
    await send({
      from: 'files@example.org',
      subject: 'one',
      text: 'first',
      messageId: '<files-1@example.org>',
      attachments: [{ filename: 'one.pdf', content: pdf }],
    });
    await send({
      from: 'files@example.org',
      subject: 'two',
      text: 'second',
      messageId: '<files-2@example.org>',
      attachments: [{ filename: 'two.pdf', content: pdf }],
    });
    const items = await pending();
    const filesOf = (messageId: string) =>
      items.find((m) => m.messageId === messageId)?.attachments.map((a) => a.filename);
    expect(filesOf('<files-1@example.org>')).toEqual(['one.pdf']);
    expect(filesOf('<files-2@example.org>')).toEqual(['two.pdf']);
  });
});
