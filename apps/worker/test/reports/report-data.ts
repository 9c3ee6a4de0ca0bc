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
  };
}
