import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, AuditLog } from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import {
  IMPORT_ERRORS_LISTED,
  type ImportKind,
  type ImportReport,
  type ImportRowError,
  type PartnerCreate,
} from '@sp/types';
import type { Transaction } from 'kysely';
import { PartnersService } from '../partners/partners.service';
import { type ChunkSource, type ImportLayout, type ReadRow, readCsvRows } from './csv-rows';
import { partnerImportLayout } from './import-layouts';
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
  ) {}

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
