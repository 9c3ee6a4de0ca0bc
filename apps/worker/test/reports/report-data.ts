import { randomBytes } from 'node:crypto';
import type { DB } from '@sp/db';
import type { Insertable, Kysely } from 'kysely';

/**
 * Test data for the report kinds, written straight into the services' base tables (the report
 * builders read the views over them): each call makes unique rows, so tests never depend on
 * what else the database holds.
 */
export function reportData(db: Kysely<DB>) {
  const tag = randomBytes(3).toString('hex');
  let n = 0;
  const unique = (prefix: string) => `${prefix} ${tag}-${++n}`;

  return {
    tag,
    partner: (values: Partial<Insertable<DB['registry.partner']>> = {}) =>
      db
        .insertInto('registry.partner')
        .values({
          nameEn: unique('Report University'),
          country: 'DE',
          status: 'strategic',
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    activity: (partnerId: string, values: Partial<Insertable<DB['registry.activity']>> = {}) =>
      db
        .insertInto('registry.activity')
        .values({
          partnerId,
          type: 'joint-research',
          titleEn: unique('Activity'),
          status: 'ongoing',
          reviewStatus: 'approved',
          reportedBy: 'staff',
          createdBy: 'report-test',
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    mobility: (
      partnerId: string,
      values: Partial<Insertable<DB['registry.mobilityRecord']>> = {},
    ) =>
      db
        .insertInto('registry.mobilityRecord')
        .values({
          partnerId,
          fiscalYear: 2025,
          direction: 'inbound',
          personType: 'undergraduate',
          programme: 'USTEP',
          count: 1,
          reviewStatus: 'approved',
          reportedBy: 'staff',
          createdBy: 'report-test',
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    funding: (partnerId: string, values: Partial<Insertable<DB['registry.funding']>> = {}) =>
      db
        .insertInto('registry.funding')
        .values({
          partnerId,
          source: unique('Funder'),
          amount: '1000',
          currency: 'JPY',
          fiscalYear: 2025,
          status: 'applied',
          createdBy: 'report-test',
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    agreement: (partnerId: string, values: Partial<Insertable<DB['registry.agreement']>> = {}) =>
      db
        .insertInto('registry.agreement')
        .values({ partnerId, kind: 'comprehensive', title: unique('Agreement'), ...values })
        .returningAll()
        .executeTakeFirstOrThrow(),
    contact: (partnerId: string, values: Partial<Insertable<DB['registry.contact']>> = {}) =>
      db
        .insertInto('registry.contact')
        .values({
          partnerId,
          nameEn: unique('Contact'),
          email: `contact-${tag}-${++n}@partner.example`,
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    async facultyLead(
      partnerId: string,
      values: Partial<Insertable<DB['registry.facultyLead']>> = {},
    ) {
      const lead = await db
        .insertInto('registry.facultyLead')
        .values({
          nameEn: unique('Lead'),
          department: 'Graduate School of Engineering',
          email: `lead-${tag}-${++n}@u-tokyo.example`,
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await db
        .insertInto('registry.facultyLeadPartner')
        .values({ facultyLeadId: lead.id, partnerId })
        .execute();
      return lead;
    },
    statusChange: (
      partnerId: string,
      values: Partial<Insertable<DB['registry.partnerStatusChange']>> = {},
    ) =>
      db
        .insertInto('registry.partnerStatusChange')
        .values({ partnerId, toStatus: 'strategic', changedOn: '2020-04-01', ...values })
        .returningAll()
        .executeTakeFirstOrThrow(),
    /** The symposium service's copy of a registry partner. */
    partnerSnapshot: (values: {
      id: string;
      nameEn: string;
      nameJa?: string | null;
      country: string;
    }) =>
      db
        .insertInto('symposium.partner')
        .values({
          status: 'strategic',
          sourceUpdatedAt: new Date(),
          sourceVersion: 1,
          nameJa: null,
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    symposium: (values: Partial<Insertable<DB['symposium.symposium']>> = {}) =>
      db
        .insertInto('symposium.symposium')
        .values({
          titleEn: unique('Symposium'),
          heldOn: `2${String(100 + Math.floor(Math.random() * 800)).padStart(3, '0')}-${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(Math.random() * 28)).padStart(2, '0')}`,
          status: 'held',
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    session: (symposiumId: string, values: Partial<Insertable<DB['symposium.session']>> = {}) =>
      db
        .insertInto('symposium.session')
        .values({
          symposiumId,
          kind: 'talk',
          titleEn: unique('Session'),
          startsAt: '2026-10-10T01:00:00Z',
          endsAt: '2026-10-10T02:00:00Z',
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    sessionPerson: (
      sessionId: string,
      values: Partial<Insertable<DB['symposium.sessionPerson']>> = {},
    ) =>
      db
        .insertInto('symposium.sessionPerson')
        .values({ sessionId, role: 'speaker', nameEn: unique('Speaker'), ...values })
        .returningAll()
        .executeTakeFirstOrThrow(),
    registrationSettings: (symposiumId: string, capacity: number) =>
      db
        .insertInto('symposium.registrationSettings')
        .values({
          symposiumId,
          capacity,
          opensAt: '2026-01-01T00:00:00Z',
          closesAt: '2026-10-01T00:00:00Z',
        })
        .execute(),
    registration: (
      symposiumId: string,
      values: Partial<Insertable<DB['symposium.registration']>> = {},
    ) =>
      db
        .insertInto('symposium.registration')
        .values({
          symposiumId,
          name: unique('Registrant'),
          email: `registrant-${tag}-${++n}@example.org`,
          language: 'en',
          status: 'confirmed',
          tokenHash: randomBytes(16).toString('hex'),
          checkInCode: randomBytes(4).toString('hex'),
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    document: (symposiumId: string, values: Partial<Insertable<DB['symposium.document']>> = {}) =>
      db
        .insertInto('symposium.document')
        .values({
          symposiumId,
          kind: 'report',
          language: 'en',
          title: unique('Document'),
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    inquiry: (values: Partial<Insertable<DB['inquiries.inquiry']>> = {}) => {
      const number = 100_000 + Math.floor(Math.random() * 899_999);
      return db
        .insertInto('inquiries.inquiry')
        .values({
          reference: `INQ-2099-${number}`,
          referenceYear: 2099,
          referenceNumber: number,
          category: 'other',
          name: 'An Inquirer',
          email: 'inquirer@example.org',
          language: 'en',
          subject: unique('Question'),
          statusTokenHash: randomBytes(32).toString('hex'),
          ...values,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },
    slaBreach: (values: Insertable<DB['inquiries.slaBreach']>) =>
      db.insertInto('inquiries.slaBreach').values(values).execute(),
  };
}
