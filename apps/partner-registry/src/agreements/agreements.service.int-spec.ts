import { randomUUID } from 'node:crypto';
import { AuditLog } from '@sp/platform';
import { createTestDatabase, type TestDatabase, testConfig } from '@sp/testing';
import type { EmailSend } from '@sp/types';
import { TokyoClock } from '../common/tokyo.clock';
import { configSchema } from '../config';
import { AgreementsRepository } from './agreements.repository';
import { AgreementsService } from './agreements.service';

/** The service with its real repository against the real (cloned) database. */
let database: TestDatabase;
let agreements: AgreementsService;
const clock = new TokyoClock();

beforeAll(async () => {
  database = await createTestDatabase();
  agreements = new AgreementsService(
    new AgreementsRepository(database.db),
    new AuditLog(database.db, 'registry'),
    clock,
    configSchema.parse(testConfig({ DATABASE_URL: database.url })),
  );
});
afterAll(() => database.drop());

const DAY = 86_400_000;
const day0 = '2027-01-01';
/** The Tokyo date `n` days after day 0. */
const dayN = (n: number) =>
  new Date(Date.parse(`${day0}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
/** Stands the clock at noon in Tokyo on that date. */
const standOn = (date: string) => {
  clock.now = () => new Date(`${date}T12:00:00+09:00`);
};

const newPartner = async (
  values: {
    coordinatorEmail?: string;
    status?: 'primary' | 'ended';
    locale?: 'en' | 'ja';
    nameJa?: string;
  } = {},
) =>
  (
    await database.db
      .insertInto('registry.partner')
      .values({
        nameEn: `Agreements ${randomUUID()}`,
        nameJa: values.nameJa ?? null,
        country: 'DE',
        status: values.status ?? 'primary',
        coordinatorName: values.coordinatorEmail ? 'Hanako Todai' : null,
        coordinatorEmail: values.coordinatorEmail ?? null,
        coordinatorLocale: values.coordinatorEmail ? (values.locale ?? 'en') : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

const newAgreement = async (partnerId: string, title: string, expiresOn: string) =>
  (
    await database.db
      .insertInto('registry.agreement')
      .values({ partnerId, kind: 'research', title, expiresOn })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

const mails = async () =>
  (
    await database.db
      .selectFrom('registry.outbox')
      .select(['payload'])
      .where('name', '=', 'email.send')
      .orderBy('id')
      .execute()
  ).map((r) => r.payload as EmailSend);

describe('AgreementsService.listForPartner', () => {
  it("gives a partner's agreements, the earliest signed first, undated ones last", async () => {
    const partnerId = await newPartner();
    const other = await newPartner();
    await database.db
      .insertInto('registry.agreement')
      .values([
        {
          partnerId,
          kind: 'student-exchange',
          title: 'B exchange',
          signedOn: '2019-03-01',
          signedOnPrecision: 'day',
        },
        {
          partnerId,
          kind: 'comprehensive',
          title: 'Memorandum',
          signedOn: '2019-01-01',
          signedOnPrecision: 'year',
        },
        {
          partnerId,
          kind: 'student-exchange',
          title: 'A exchange',
          signedOn: '2019-03-01',
          signedOnPrecision: 'day',
        },
        { partnerId, kind: 'other', title: 'Undated' },
        {
          partnerId: other,
          kind: 'other',
          title: 'Not theirs',
          signedOn: '2000-01-01',
          signedOnPrecision: 'day',
        },
      ])
      .execute();
    standOn('2026-12-02');
    const list = await agreements.listForPartner(partnerId);
    expect(list.map((a) => [a.title, a.signedOn])).toEqual([
      ['Memorandum', '2019'],
      ['A exchange', '2019-03-01'],
      ['B exchange', '2019-03-01'],
      ['Undated', null],
    ]);
    expect(list[0]).toMatchObject({ status: 'active', renewals: [], partnerId });
  });
});

describe('AgreementsService.sendExpiryReminders', () => {
  it('mails each threshold once per agreement and expiry across 200 days, run twice at once each day', async () => {
    const coordinator = `coordinator-${randomUUID()}@example.ac.jp`;
    const partner = await newPartner({ coordinatorEmail: coordinator });
    const nobody = await newPartner();
    const ended = await newPartner({ coordinatorEmail: 'ended@example.ac.jp', status: 'ended' });
    const a = await newAgreement(partner, 'A: 150 days', dayN(150));
    const b = await newAgreement(partner, 'B: 199 days', dayN(199));
    await newAgreement(partner, 'C: 400 days', dayN(400));
    const e = await newAgreement(partner, 'E: 60 days, renewed', dayN(60));
    await newAgreement(nobody, 'F: no coordinator', dayN(50));
    await newAgreement(ended, 'G: ended partnership', dayN(50));

    const skipped = new Set([60, 61, 62]); // the job did not run (A's 90-day mark is day 60)
    let withoutCoordinator = 0;
    for (let n = 0; n <= 200; n++) {
      if (skipped.has(n)) continue;
      if (n === 40) {
        standOn(dayN(40));
        await agreements.renew(e, { expiresOn: dayN(250) }, 'any');
      }
      const runs = await Promise.all([
        agreements.sendExpiryReminders(dayN(n)),
        agreements.sendExpiryReminders(dayN(n)),
      ]);
      withoutCoordinator = Math.max(withoutCoordinator, runs[0].withoutCoordinator);
    }

    const sent = (await mails()).filter((m) => m.to[0] === coordinator);
    const keys = sent.map((m) => m.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length); // never twice
    expect(keys.sort()).toEqual(
      [
        `agreement-expiry:${a}:180:${dayN(150)}`,
        `agreement-expiry:${a}:90:${dayN(150)}`,
        `agreement-expiry:${a}:30:${dayN(150)}`,
        `agreement-expiry:${b}:180:${dayN(199)}`,
        `agreement-expiry:${b}:90:${dayN(199)}`,
        `agreement-expiry:${b}:30:${dayN(199)}`,
        // E: at 60 days left only the tightest threshold (90) goes, then 30; the renewal to
        // day 250 starts again at 180 and 90 (its 30 falls after day 200).
        `agreement-expiry:${e}:90:${dayN(60)}`,
        `agreement-expiry:${e}:30:${dayN(60)}`,
        `agreement-expiry:${e}:180:${dayN(250)}`,
        `agreement-expiry:${e}:90:${dayN(250)}`,
      ].sort(),
    );
    expect((await mails()).filter((m) => m.to[0] !== coordinator)).toEqual([]);
    expect(withoutCoordinator).toBe(1);

    // Each went on the first day its threshold was crossed, or the next run after a missed day.
    const when = await database.db
      .selectFrom('registry.agreementReminder')
      .select(['thresholdDays', 'sentOn'])
      .where('agreementId', '=', a)
      .orderBy('sentOn')
      .execute();
    expect(when).toEqual([
      { thresholdDays: 180, sentOn: dayN(0) },
      { thresholdDays: 90, sentOn: dayN(63) },
      { thresholdDays: 30, sentOn: dayN(120) },
    ]);
    expect(
      sent.find((m) => m.idempotencyKey.startsWith(`agreement-expiry:${a}:30:`)),
    ).toMatchObject({
      template: 'agreement-expiring',
      locale: 'en',
      data: { name: 'Hanako Todai', agreement: 'A: 150 days', expiresOn: dayN(150), daysLeft: 30 },
    });
  });

  it('names the partner in the language of the mail', async () => {
    const ja = `coordinator-${randomUUID()}@example.ac.jp`;
    const en = `coordinator-${randomUUID()}@example.ac.jp`;
    const nameJa = 'ミュンヘン工科大学';
    const japanese = await newPartner({ coordinatorEmail: ja, locale: 'ja', nameJa });
    const english = await newPartner({ coordinatorEmail: en, locale: 'en', nameJa });
    await newAgreement(japanese, 'J: 20 days', dayN(20));
    await newAgreement(english, 'K: 20 days', dayN(20));
    standOn(dayN(0));
    await agreements.sendExpiryReminders(dayN(0));
    const to = async (address: string) => (await mails()).find((m) => m.to[0] === address);
    expect(await to(ja)).toMatchObject({ locale: 'ja', data: { partner: nameJa } });
    expect((await to(en))?.data['partner']).toMatch(/^Agreements /);
  });
});
