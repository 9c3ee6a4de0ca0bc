import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { DB, ReportViews } from '@sp/db';
import type { ReportKind, ReportParams } from '@sp/types';
import { parse } from 'csv-parse/sync';
import { type Kysely, sql } from 'kysely';
import type { FormatWriter } from '../../src/reports/document';
import { csvWriter } from '../../src/reports/formats/csv.writer';
import type { ReportAudience, ReportKindDefinition } from '../../src/reports/kind';

/** A CSV report parsed back: the title page's facts and each section's rows by header. */
export type ParsedReport = {
  facts: Map<string, string>;
  sections: Map<string, Record<string, string>[]>;
  rowsCounted: number;
};

/**
 * Builds and writes a report as the pipeline does: one REPEATABLE READ READ ONLY transaction
 * under the role `sp_report_reader` (so a kind that reads a base table fails here), the kind's
 * document written by `writer`; resolves to the file's bytes and the writer's last row count.
 */
export async function buildFile<K extends ReportKind>(
  db: Kysely<DB>,
  kind: ReportKindDefinition<K, ReportViews>,
  params: ReportParams<K>,
  writer: FormatWriter,
  now = new Date(),
  audience: ReportAudience = 'staff',
): Promise<{ bytes: Buffer; rowsCounted: number }> {
  let bytes = Buffer.alloc(0);
  let rowsCounted = 0;
  await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`set local role sp_report_reader`.execute(trx);
      const reader = trx as unknown as Kysely<ReportViews>;
      const doc = await kind.build(reader, params, { now, audience });
      const out = new PassThrough();
      [, bytes] = await Promise.all([
        writer.write(doc, out, (n) => {
          rowsCounted = n;
        }),
        buffer(out),
      ]);
    });
  return { bytes, rowsCounted };
}

/** {@link buildFile} with the CSV writer, the file parsed back with csv-parse. */
export async function buildCsv<K extends ReportKind>(
  db: Kysely<DB>,
  kind: ReportKindDefinition<K, ReportViews>,
  params: ReportParams<K>,
  now = new Date(),
  audience: ReportAudience = 'staff',
): Promise<ParsedReport> {
  const { bytes, rowsCounted } = await buildFile(db, kind, params, csvWriter, now, audience);
  return { ...parseReport(bytes.toString('utf8')), rowsCounted };
}

/** Splits the CSV writer's file into its facts and sections (first column: the section). */
export function parseReport(text: string): Omit<ParsedReport, 'rowsCounted'> {
  const records: string[][] = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true });
  const facts = new Map<string, string>();
  const sections = new Map<string, Record<string, string>[]>();
  let header: string[] = [];
  for (const [section = '', ...cells] of records) {
    if (section === 'section') {
      header = cells;
      continue;
    }
    if (section === 'about') {
      facts.set(cells[0] ?? '', cells[1] ?? '');
      continue;
    }
    const rows = sections.get(section) ?? [];
    rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
    sections.set(section, rows);
  }
  return { facts, sections };
}

/** The rows of `section`, failing when it is missing. */
export function rowsOf(report: ParsedReport, section: string): Record<string, string>[] {
  const rows = report.sections.get(section);
  if (!rows)
    throw new Error(`section ${section} missing; have ${[...report.sections.keys()].join(', ')}`);
  return rows;
}
