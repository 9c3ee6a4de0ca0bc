import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@sp/testing';
import type { EmailSend, InquiryCategory } from '@sp/types';
import { configSchema } from '../config';
import { SlaRepository } from './sla.repository';
import { SlaService } from './sla.service';

let database: TestDatabase;
let n = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const tokyo = (local: string): Date => new Date(`${local}+09:00`);

/** The service at a chosen instant (its injectable clock), on the file's own database. */
const slaAt = (now: Date, env: Record<string, string> = {}) =>
  new SlaService(
    new SlaRepository(database.db),
    configSchema.parse({ INQUIRY_SLA_HOURS: 'default=8/40,media=2/8', ...env }),
    () => now,
  );

async function inquiry(
  values: {
    createdAt: Date;
    category?: InquiryCategory;
    assigneeEmail?: string | null;
    withDueTimes?: boolean;
  } = { createdAt: new Date() },
) {
  const number = ++n;
  const category = values.category ?? 'media';
  const row = await database.db
    .insertInto('inquiries.inquiry')
    .values({
      reference: `INQ-2031-${String(number).padStart(6, '0')}`,
      referenceYear: 2031,
      referenceNumber: number,
      category,
      name: 'Ada Lovelace',
      email: `ada${number}@example.org`,
      language: 'en',
      subject: 'A question',
      statusTokenHash: randomBytes(32).toString('hex'),
      createdAt: values.createdAt,
      updatedAt: values.createdAt,
      assigneeEmail: values.assigneeEmail ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (values.withDueTimes !== false)
    await slaAt(values.createdAt).setDueTimes(database.db, row.id, row.createdAt, category);
  return row;
}

const breaches = (inquiryId: string) =>
  database.db
    .selectFrom('inquiries.slaBreach')
    .selectAll()
    .where('inquiryId', '=', inquiryId)
    .orderBy('kind')
    .execute();

/** The breach alerts in the outbox for an inquiry's reference. */
async function alerts(reference: string): Promise<EmailSend[]> {
  const rows = await database.db
    .selectFrom('inquiries.outbox')
    .select('payload')
    .where('name', '=', 'email.send')
    .execute();
  return rows
    .map(
      (row) =>
        (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as EmailSend,
    )
    .filter((mail) => mail.template === 'sla-overdue' && mail.data.reference === reference);
}

describe('SlaService.sweep', () => {
  it('records a first-response breach once and alerts the group, however often it runs', async () => {
    // Wednesday 20:00: media's 2 business hours run out Thursday 11:00.
    const row = await inquiry({ createdAt: tokyo('2031-12-03T20:00') });
    const stored = await database.db
      .selectFrom('inquiries.inquiry')
      .select(['firstResponseDueAt', 'resolutionDueAt'])
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(stored.firstResponseDueAt).toEqual(tokyo('2031-12-04T11:00'));
    expect(stored.resolutionDueAt).toEqual(tokyo('2031-12-04T17:00'));

    // Before the due time: nothing.
    await slaAt(tokyo('2031-12-04T10:59')).sweep();
    expect(await breaches(row.id)).toEqual([]);

    const at = tokyo('2031-12-04T11:15');
    const first = await slaAt(at).sweep();
    const second = await slaAt(at).sweep();
    expect(first.breaches).toBeGreaterThanOrEqual(1);
    expect(second.breaches).toBe(0);
    expect(await breaches(row.id)).toEqual([
      expect.objectContaining({
        kind: 'first-response',
        dueAt: tokyo('2031-12-04T11:00'),
        detectedAt: at,
        notified: 'international-projects@example.ac.jp',
      }),
    ]);
    const mails = await alerts(row.reference);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      to: ['international-projects@example.ac.jp'],
      locale: 'ja',
      data: { reference: row.reference, sla: '初回回答', dueAt: '2031-12-04 11:00 JST' },
    });
  });

  it('sends one alert when two sweeps run at the same time, to the assignee when there is one', async () => {
    const row = await inquiry({
      createdAt: tokyo('2031-12-08T09:00'),
      assigneeEmail: 'kenji@example.ac.jp',
    });
    const at = tokyo('2031-12-09T09:00');
    const results = await Promise.all([slaAt(at).sweep(), slaAt(at).sweep(), slaAt(at).sweep()]);
    expect(results.reduce((sum, r) => sum + r.breaches, 0)).toBeGreaterThanOrEqual(2);
    const recorded = await breaches(row.id);
    // Past both due times (11:00 and 17:00 on the 8th): one breach of each kind, never two.
    expect(recorded.map((b) => b.kind)).toEqual(['first-response', 'resolution']);
    const mails = await alerts(row.reference);
    expect(mails).toHaveLength(2);
    expect(mails.every((mail) => mail.to[0] === 'kenji@example.ac.jp')).toBe(true);
    expect(new Set(mails.map((mail) => mail.idempotencyKey)).size).toBe(2);
  });

  it('does not count a met or resolved target, and counts business hours only', async () => {
    // Friday 16:00 + 2 business hours = Monday 10:00: Saturday is not late.
    const friday = await inquiry({ createdAt: tokyo('2031-12-12T16:00') });
    await slaAt(tokyo('2031-12-13T12:00')).sweep();
    expect(await breaches(friday.id)).toEqual([]);

    const answered = await inquiry({ createdAt: tokyo('2031-12-12T09:00') });
    await database.db
      .updateTable('inquiries.inquiry')
      .set({
        firstResponseAt: tokyo('2031-12-12T10:00'),
        state: 'resolved',
        resolvedAt: tokyo('2031-12-12T12:00'),
      })
      .where('id', '=', answered.id)
      .execute();
    await slaAt(tokyo('2031-12-20T12:00')).sweep();
    expect(await breaches(answered.id)).toEqual([]);
  });

  it('fills in due times an inquiry lacks, then judges it by them', async () => {
    const bare = await inquiry({ createdAt: tokyo('2031-11-03T10:00'), withDueTimes: false });
    // 2031-11-03 is Culture Day: the clock starts on Tuesday the 4th at 9:00.
    const result = await slaAt(tokyo('2031-11-04T10:30')).sweep();
    expect(result.dueTimesSet).toBeGreaterThanOrEqual(1);
    const stored = await database.db
      .selectFrom('inquiries.inquiry')
      .select(['firstResponseDueAt'])
      .where('id', '=', bare.id)
      .executeTakeFirstOrThrow();
    expect(stored.firstResponseDueAt).toEqual(tokyo('2031-11-04T11:00'));
    expect(await breaches(bare.id)).toEqual([]);
  });
});
