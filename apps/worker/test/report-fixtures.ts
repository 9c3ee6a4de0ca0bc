import type { INestApplicationContext } from '@nestjs/common';
import { AppError } from '@sp/platform';
import { sql } from 'kysely';
import type { ReportDocument, Row } from '../src/reports/document';
import type { ReportKinds, ReportReader } from '../src/reports/kind';
import { ReportsBuilder } from '../src/reports/reports.builder';
import { REPORT_KINDS } from '../src/reports/reports.tokens';

/**
 * Fixture report kinds under the real kind names (the real ones land from another branch).
 * Their rows come from `generate_series` read through the builder's read-only connection, so
 * each build really reads in the builder's transaction as `sp_report_reader`.
 */

/** A partner id no partner has: the profile build fails mid-way saying so. */
export const MISSING_PARTNER = '0f000000-0000-4000-8000-0000000000ff';
export const PROFILE_ROWS = 5_000;

/** Holds partner-profile builds after their first 2,000 rows until `open()`. */
export class Gate {
  private release: () => void = () => undefined;
  private promise: Promise<void> = Promise.resolve();
  /** Builds waiting at the gate. */
  waiting = 0;

  close(): void {
    this.promise = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.release();
  }

  async pass(): Promise<void> {
    this.waiting++;
    try {
      await this.promise;
    } finally {
      this.waiting--;
    }
  }
}

/** Rows `from`..`to` of `generate_series`, read in pages through the reader. */
async function* series(db: ReportReader, from: number, to: number): AsyncGenerator<Row> {
  for (let start = from; start <= to; start += 500) {
    const end = Math.min(to, start + 499);
    const page = await sql<{
      n: number;
    }>`select g as n from generate_series(${start}::int, ${end}::int) g`.execute(db);
    for (const row of page.rows) yield { n: row.n, label: `row ${row.n}` };
  }
}

const doc = (title: string, rows: AsyncIterable<Row>): ReportDocument => ({
  title,
  generatedAt: new Date(),
  facts: [{ label: 'fixture', value: title }],
  sections: [
    {
      kind: 'table',
      name: 'rows',
      title: 'Rows',
      columns: [
        { key: 'n', header: 'N', type: 'integer' },
        { key: 'label', header: 'Label', type: 'text' },
      ],
      rows,
    },
  ],
});

const count = async (db: ReportReader, n: number) =>
  Number(
    (await sql<{ c: string }>`select count(*) as c from generate_series(1, ${n}::int)`.execute(db))
      .rows[0]!.c,
  );

export function fixtureKinds(gate: Gate): ReportKinds {
  return {
    'partner-profile': {
      kind: 'partner-profile',
      partnerOf: (p) => p.partnerId,
      estimateRows: (db) => count(db, PROFILE_ROWS),
      build: (db, p) =>
        Promise.resolve(
          doc(
            `Profile ${p.partnerId}`,
            (async function* () {
              yield* series(db, 1, 2_000);
              await gate.pass();
              if (p.partnerId === MISSING_PARTNER)
                throw new AppError('not-found', `no such partner ${p.partnerId}`);
              yield* series(db, 2_001, PROFILE_ROWS);
            })(),
          ),
        ),
      fileName: (p) => `partner-profile-${p.partnerId.slice(0, 8)}`,
    },
    // Reads a base table, which the reader role may not: the build must fail saying so.
    symposium: {
      kind: 'symposium',
      partnerOf: () => null,
      estimateRows: () => Promise.resolve(1),
      build: async (db) => {
        await sql`select id from registry.partner limit 1`.execute(db);
        return doc('never', series(db, 1, 1));
      },
      fileName: (p) => `symposium-${p.symposiumId.slice(0, 8)}`,
    },
    'fiscal-year': {
      kind: 'fiscal-year',
      partnerOf: () => null,
      estimateRows: (db) => count(db, 30),
      build: (db, p) => Promise.resolve(doc(`Fiscal year ${p.fiscalYear}`, series(db, 1, 30))),
      fileName: (p) => `fiscal-year-${p.fiscalYear}`,
    },
    'inquiry-statistics': {
      kind: 'inquiry-statistics',
      partnerOf: () => null,
      estimateRows: (db) => count(db, 12),
      build: (db, p) => Promise.resolve(doc(`Inquiries ${p.from}..${p.to}`, series(db, 1, 12))),
      fileName: (p) => `inquiry-statistics-${p.from}-${p.to}`,
    },
  };
}

/**
 * Registers the fixture kinds in a running worker, through the module's injection token, and has
 * its builder build in this process (a child process would not have the fixtures).
 */
export function registerFixtureKinds(app: INestApplicationContext, gate: Gate): void {
  Object.assign(app.get<Partial<ReportKinds>>(REPORT_KINDS), fixtureKinds(gate));
  app.get(ReportsBuilder).buildInThisProcess();
}
