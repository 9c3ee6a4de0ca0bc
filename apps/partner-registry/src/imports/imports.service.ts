import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, AuditLog } from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import {
  type ActivityCreate,
  IMPORT_ERRORS_LISTED,
  type MobilityCreate,
  type ImportKind,
  type ImportReport,
  type ImportRowError,
  type PartnerCreate,
} from '@sp/types';
import type { Transaction } from 'kysely';
import { PartnersService } from '../partners/partners.service';
import { type ChunkSource, type ImportLayout, type ReadRow, readCsvRows } from './csv-rows';
import { ActivitiesService } from '../activities/activities.service';
import { cellKey } from '../mobility/mobility.mapper';
import { MobilityService } from '../mobility/mobility.service';
import { activityImportLayout, mobilityImportLayout, partnerImportLayout } from './import-layouts';
import { ImportsRepository } from './imports.repository';

/** One kind of import: its columns, the checks that need the database, and its writer. */
type Importer<T> = {
  layout: ImportLayout<T>;
  /** Problems only the database can tell (a name already taken), by line and column. */
  check: (rows: ReadRow<T>[]) => Promise<ImportRowError[]>;
  /** Writes the rows in the import's transaction; returns how many. */
  insert: (trx: Transaction<DB>, values: T[]) => Promise<number>;
};

export type ImportOptions = {
  dryRun: boolean;
  /** Called as rows are read (the CLI's progress bar), then as they are written. */
  onProgress?: (phase: 'read' | 'write', done: number) => void;
};

/**
 * CSV imports. Every row is read and checked before anything is written, and every problem is
 * reported by line and column; a file with any bad row writes nothing. An applied import is one
 * transaction (batched multi-row inserts), with one audit entry and one `import.applied` event
 * for the whole file.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly repo: ImportsRepository,
    private readonly audit: AuditLog,
    private readonly partners: PartnersService,
    private readonly activities: ActivitiesService,
    private readonly mobility: MobilityService,
  ) {}

  private readonly activitiesImporter: Importer<ActivityCreate> = {
    layout: activityImportLayout,
    check: async (rows) => [
      ...rowRules(rows, (v) => this.activities.checkNew(v)),
      ...(await this.unknownPartners(rows)),
    ],
    insert: (trx, values) => this.activities.createMany(trx, values),
  };

  private readonly mobilityImporter: Importer<MobilityCreate> = {
    layout: mobilityImportLayout,
    check: async (rows) => {
      const errors = [
        ...rowRules(rows, (v) => this.mobility.checkNew(v)),
        ...(await this.unknownPartners(rows)),
      ];
      // One report per cell: twice in the file, or already there, is a conflict on its line.
      const taken = await this.mobility.takenCells([
        ...new Set(rows.flatMap((r) => (r.value.partnerId ? [r.value.partnerId] : []))),
      ]);
      const firstLine = new Map<string, number>();
      for (const { line, value } of rows) {
        const key = cellKey(value);
        const first = firstLine.get(key);
        if (first !== undefined)
          errors.push({
            line,
            column: 'programme',
            code: 'duplicate',
            message: `repeats line ${first}: one report per partner, fiscal year, direction, person type and programme`,
          });
        else if (taken.has(key))
          errors.push({
            line,
            column: 'programme',
            code: 'duplicate',
            message:
              'this partner already has a report for that fiscal year, direction, person type and programme: update that one',
          });
        firstLine.set(key, first ?? line);
      }
      return errors;
    },
    insert: (trx, values) => this.mobility.createMany(trx, values),
  };

  /** Rows naming a partner that does not exist, on their `partnerId` column. */
  private async unknownPartners(
    rows: ReadRow<{ partnerId?: string | undefined }>[],
  ): Promise<ImportRowError[]> {
    const ids = [...new Set(rows.flatMap((r) => (r.value.partnerId ? [r.value.partnerId] : [])))];
    const known = await this.partners.existingIds(ids);
    return rows.flatMap(({ line, value }) =>
      value.partnerId && !known.has(value.partnerId)
        ? [{ line, column: 'partnerId', code: 'not_found', message: 'is not a partner' }]
        : [],
    );
  }

  private readonly partnersImporter: Importer<PartnerCreate> = {
    layout: partnerImportLayout,
    check: async (rows) => {
      const errors: ImportRowError[] = [];
      const firstLine = new Map<string, number>();
      for (const { line, value } of rows) {
        const key = value.nameEn.toLowerCase();
        const first = firstLine.get(key);
        if (first === undefined) firstLine.set(key, line);
        else
          errors.push({
            line,
            column: 'nameEn',
            code: 'duplicate',
            message: `is the name given on line ${first} too`,
          });
      }
      const taken = new Set(
        (await this.partners.takenNames([...firstLine.keys()])).map((n) => n.toLowerCase()),
      );
      for (const { line, value } of rows)
        if (
          taken.has(value.nameEn.toLowerCase()) &&
          firstLine.get(value.nameEn.toLowerCase()) === line
        )
          errors.push({
            line,
            column: 'nameEn',
            code: 'duplicate',
            message: 'is already the name of another partner',
          });
      return errors.sort((a, b) => a.line - b.line);
    },
    insert: (trx, values) => this.partners.createMany(trx, values),
  };

  run(kind: ImportKind, source: ChunkSource, options: ImportOptions): Promise<ImportReport> {
    switch (kind) {
      case 'activities':
        return this.runWith(kind, this.activitiesImporter, source, options);
      case 'mobility':
        return this.runWith(kind, this.mobilityImporter, source, options);
      case 'partners':
        return this.runWith(kind, this.partnersImporter, source, options);
    }
  }

  private async runWith<T>(
    kind: ImportKind,
    importer: Importer<T>,
    source: ChunkSource,
    { dryRun, onProgress }: ImportOptions,
  ): Promise<ImportReport> {
    const hash = createHash('sha256');
    const hashed = (async function* () {
      for await (const chunk of source) {
        hash.update(chunk);
        yield chunk;
      }
    })();
    const read = await readCsvRows(hashed, importer.layout, (n) => onProgress?.('read', n));
    const checked = await importer.check(read.rows);
    const ordered = [...read.errors, ...checked].sort((a, b) => a.line - b.line);
    const errors = ordered.slice(0, IMPORT_ERRORS_LISTED);
    const invalidRows = read.invalidRows + new Set(checked.map((e) => e.line)).size;
    const report: ImportReport = {
      kind,
      dryRun,
      rows: read.total,
      validRows: read.total - invalidRows,
      invalidRows,
      errors,
      truncated: read.truncated || ordered.length > errors.length,
      inserted: 0,
      importId: null,
    };
    if (dryRun) return report;
    if (errors.length) throw invalidImport(report);
    const importId = randomUUID();
    const sha256 = hash.digest('hex');
    const values = read.rows.map((r) => r.value);
    const inserted = await this.repo.transaction(async (trx) => {
      const n = await importer.insert(trx, values);
      onProgress?.('write', n);
      await this.audit.record(trx, {
        entity: 'import',
        entityId: importId,
        action: `import-${kind}`,
        after: { kind, rows: n, sha256 },
      });
      await writeOutbox(trx, 'registry', {
        name: 'import.applied',
        payload: { importId, kind, rows: n, sha256 },
      });
      return n;
    });
    return { ...report, inserted, importId };
  }
}

/**
 * The rules a service checks beyond the contract, row by row: each refusal (an AppError naming
 * fields) becomes an error on that row's columns.
 */
function rowRules<T>(rows: ReadRow<T>[], check: (value: T) => void): ImportRowError[] {
  return rows.flatMap(({ line, value }): ImportRowError[] => {
    try {
      check(value);
      return [];
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const fields = error.errors ?? [];
      return fields.length
        ? fields.map((e) => ({ line, column: e.field, code: e.code, message: e.message }))
        : [{ line, column: null, code: error.code, message: error.message }];
    }
  });
}

/** 422 naming each bad row's line and column (`line 7, column country`). */
function invalidImport(report: ImportReport): AppError {
  return new AppError(
    'invalid-import',
    `${report.invalidRows} of ${report.rows} rows are not valid; nothing was imported`,
    {
      errors: report.errors.map((e) => ({
        in: 'body',
        field: e.column === null ? `line ${e.line}` : `line ${e.line}, column ${e.column}`,
        message: e.message,
        code: e.code,
      })),
    },
  );
}
