import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, AuditLog } from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import {
  type ActivityCreate,
  type MobilityCreate,
  type ImportKind,
  type ImportReport,
  type ImportRowError,
  type PartnerCreate,
} from '@sp/types';
import type { Transaction } from 'kysely';
import { PartnersService } from '../partners/partners.service';
import {
  type ChunkSource,
  type ImportLayout,
  type ListedErrors,
  listErrors,
  type ReadRow,
  readCsvBatches,
} from './csv-rows';
import { ActivitiesService } from '../activities/activities.service';
import { MobilityService } from '../mobility/mobility.service';
import { activityImportLayout, mobilityImportLayout, partnerImportLayout } from './import-layouts';
import { ImportsRepository } from './imports.repository';

/** Rows parsed, checked and (when applying) inserted at a time: one multi-row INSERT each. */
export const IMPORT_BATCH = 1000;

/**
 * One kind of import: its columns, the checks that need the database or the rest of the file,
 * and its writer.
 */
type Importer<T> = {
  layout: ImportLayout<T>;
  /**
   * The checks of one run of the import: called with each batch's valid rows in file order,
   * returns the problems only the database or the earlier rows can tell (a name already taken,
   * a repeated cell), by line and column. Keeps between batches only what later rows are
   * checked against (the partners seen; for partners and mobility, the keys a row may repeat).
   */
  checks: () => (rows: ReadRow<T>[]) => Promise<ImportRowError[]>;
  /** Writes a batch's rows in the import's transaction; returns how many. */
  insert: (trx: Transaction<DB>, values: T[]) => Promise<number>;
};

export type ImportOptions = {
  dryRun: boolean;
  /** Called as rows are read (the CLI's progress bar), then once all are written. */
  onProgress?: (phase: 'read' | 'write', done: number) => void;
};

/**
 * CSV imports, streamed: the file is read, checked and written a batch at a time, so memory
 * does not grow with its size. Every problem is reported by line and column (the first
 * IMPORT_ERRORS_LISTED of them listed); a file with any bad row writes nothing. An applied
 * import is one transaction: batches are inserted as they pass their checks until a bad row
 * appears, the rest of the file is then only checked, and the transaction is rolled back; when
 * every row is good it commits with one audit entry and one `import.applied` event for the
 * whole file (and each kind's own event per row).
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
    checks: () => {
      const unknownPartners = this.unknownPartners();
      return async (rows) => [
        ...rowRules(rows, (v) => this.activities.checkNew(v)),
        ...(await unknownPartners(rows)),
      ];
    },
    insert: (trx, values) => this.activities.createMany(trx, values),
  };

  private readonly mobilityImporter: Importer<MobilityCreate> = {
    layout: mobilityImportLayout,
    checks: () => {
      const unknownPartners = this.unknownPartners();
      // One report per cell: twice in the file, or already there, is a conflict on its line.
      // The file's cells are kept (a row may repeat any earlier one); the database's are read
      // once per partner the file names.
      const firstLine = new Map<string, number>();
      const taken = new Set<string>();
      const partnersRead = new Set<string>();
      return async (rows) => {
        const errors = [
          ...rowRules(rows, (v) => this.mobility.checkNew(v)),
          ...(await unknownPartners(rows)),
        ];
        const newPartners = [
          ...new Set(rows.flatMap((r) => (r.value.partnerId ? [r.value.partnerId] : []))),
        ].filter((id) => !partnersRead.has(id));
        for (const key of await this.mobility.takenCells(newPartners)) taken.add(key);
        newPartners.forEach((id) => partnersRead.add(id));
        const keys = await this.mobility.cellKeys(rows.map((r) => r.value));
        for (const [i, { line }] of rows.entries()) {
          const key = keys[i]!;
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
      };
    },
    insert: (trx, values) => this.mobility.createMany(trx, values),
  };

  /**
   * A run's check for rows naming a partner that does not exist, on their `partnerId` column.
   * Each id is looked up once (a file names few partners).
   */
  private unknownPartners(): (
    rows: ReadRow<{ partnerId?: string | undefined }>[],
  ) => Promise<ImportRowError[]> {
    const known = new Map<string, boolean>();
    return async (rows) => {
      const ids = [
        ...new Set(rows.flatMap((r) => (r.value.partnerId ? [r.value.partnerId] : []))),
      ].filter((id) => !known.has(id));
      const found = await this.partners.existingIds(ids);
      for (const id of ids) known.set(id, found.has(id));
      return rows.flatMap(({ line, value }) =>
        value.partnerId && !known.get(value.partnerId)
          ? [{ line, column: 'partnerId', code: 'not_found', message: 'is not a partner' }]
          : [],
      );
    };
  }

  private readonly partnersImporter: Importer<PartnerCreate> = {
    layout: partnerImportLayout,
    checks: () => {
      // Every name of the file is kept (a row may repeat any earlier one).
      const firstLine = new Map<string, number>();
      return async (rows) => {
        const errors: ImportRowError[] = [];
        // Keys as the unique index compares names (Postgres' lower(), not JavaScript's).
        const names = await this.partners.nameKeys(rows.map((r) => r.value.nameEn));
        rows.forEach(({ line }, i) => {
          const { key, taken } = names[i]!;
          const first = firstLine.get(key);
          if (first !== undefined)
            errors.push({
              line,
              column: 'nameEn',
              code: 'duplicate',
              message: `is the name given on line ${first} too`,
            });
          else {
            firstLine.set(key, line);
            if (taken)
              errors.push({
                line,
                column: 'nameEn',
                code: 'duplicate',
                message: 'is already the name of another partner',
              });
          }
        });
        return errors;
      };
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
    const check = importer.checks();
    const listed: ListedErrors = { errors: [], truncated: false };
    const report: ImportReport = {
      kind,
      dryRun,
      rows: 0,
      validRows: 0,
      invalidRows: 0,
      errors: listed.errors,
      truncated: false,
      inserted: 0,
      importId: null,
    };
    /** Reads the whole file; writes each batch in `trx` as long as no row so far was bad. */
    const readAll = async (trx?: Transaction<DB>) => {
      for await (const batch of readCsvBatches(hashed, importer.layout, IMPORT_BATCH, (n) =>
        onProgress?.('read', n),
      )) {
        const checked = batch.rows.length ? await check(batch.rows) : [];
        const refused = new Set(checked.map((e) => e.line));
        report.rows += batch.size;
        report.invalidRows += batch.invalidRows + refused.size;
        listErrors(listed, [...batch.errors, ...checked]);
        if (trx && listed.errors.length === 0)
          report.inserted += await importer.insert(
            trx,
            batch.rows.map((r) => r.value),
          );
      }
      // A bad header counts as one invalid row of a file with no data rows read: never below 0.
      report.validRows = Math.max(0, report.rows - report.invalidRows);
      report.truncated = listed.truncated;
    };
    if (dryRun) {
      await readAll();
      return report;
    }
    const importId = randomUUID();
    // Thrown inside the transaction, a refusal rolls back the batches written before the
    // first bad row.
    await this.repo.transaction(async (trx) => {
      await readAll(trx);
      if (listed.errors.length) throw invalidImport(report);
      onProgress?.('write', report.inserted);
      const sha256 = hash.digest('hex');
      await this.audit.record(trx, {
        entity: 'import',
        entityId: importId,
        action: `import-${kind}`,
        after: { kind, rows: report.inserted, sha256 },
      });
      await writeOutbox(trx, 'registry', {
        name: 'import.applied',
        payload: { importId, kind, rows: report.inserted, sha256 },
      });
    });
    return { ...report, importId };
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
