#!/usr/bin/env node
import { createReadStream, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createDb } from '@sp/db';
import { AppError, requestContext } from '@sp/platform';
import { importKinds, type ImportKind, type ImportReport } from '@sp/types';
import { SingleBar } from 'cli-progress';
import { standaloneImportsService } from './standalone-imports';

const USAGE = `usage: npm run import -- <${importKinds.join('|')}> <file.csv> [--dry-run]

Checks every row of the CSV file (UTF-8, first row the column names, as POST /imports/<kind>)
and, without --dry-run, writes them all in one transaction, or nothing when any row is bad.
Exit status: 0 imported (or, with --dry-run, every row valid); 1 bad rows or an error; 2 usage.
DATABASE_URL names the database (default: the local development one).`;

/** Progress: a bar on a terminal, a line per tenth of the file otherwise (logs, CI). */
function progress(size: number) {
  const tty = Boolean(process.stderr.isTTY);
  const bar = tty
    ? new SingleBar({
        format: 'reading  [{bar}] {percentage}% | {rows} rows | {duration}s',
        stream: process.stderr,
      })
    : undefined;
  bar?.start(size, 0, { rows: 0 });
  let nextTenth = 1;
  return {
    read(bytes: number, rows: number) {
      if (bar) bar.update(bytes, { rows });
      else if (size > 0 && bytes >= (size * nextTenth) / 10) {
        process.stderr.write(`read ${rows} rows (${Math.floor((bytes / size) * 100)}%)\n`);
        nextTenth = Math.floor((bytes / size) * 10) + 1;
      }
    },
    done() {
      bar?.stop();
    },
  };
}

function printReport(report: ImportReport): void {
  for (const e of report.errors)
    process.stdout.write(
      `line ${e.line}${e.column ? `, column ${e.column}` : ''}: ${e.message} (${e.code})\n`,
    );
  if (report.truncated)
    process.stdout.write(`… and more: only the first ${report.errors.length} are listed\n`);
  process.stdout.write(
    `${report.rows} rows: ${report.validRows} valid, ${report.invalidRows} not valid; ` +
      (report.dryRun
        ? 'dry run, nothing written\n'
        : `${report.inserted} imported (import ${report.importId})\n`),
  );
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean' } },
  });
  const [kind, file] = positionals;
  if (values.help || positionals.length !== 2 || !importKinds.includes(kind as ImportKind)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const size = statSync(file!).size;
  const db = createDb(process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL, {
    max: 2,
    applicationName: 'registry-import',
  });
  const bar = progress(size);
  let bytes = 0;
  let rows = 0;
  const source = (async function* () {
    for await (const chunk of createReadStream(file!)) {
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  })();
  try {
    const report = await requestContext.run(() => {
      // Audited as the person at the terminal.
      requestContext.setPrincipal({
        kind: 'staff',
        sub: `cli:${userInfo().username}`,
        role: 'staff',
      });
      return standaloneImportsService(db).run(kind as ImportKind, source, {
        dryRun: values['dry-run'] ?? false,
        onProgress: (phase, n) => {
          if (phase === 'read') bar.read(bytes, (rows = n));
          else {
            bar.done();
            process.stderr.write(`wrote ${n} rows in one transaction\n`);
          }
        },
      });
    });
    bar.done();
    printReport(report);
    return report.invalidRows === 0 ? 0 : 1;
  } catch (error) {
    bar.done();
    if (!(error instanceof AppError)) throw error;
    // A refused apply: every bad row, then nothing was written.
    for (const e of error.errors ?? [])
      process.stdout.write(`${e.field}: ${e.message} (${e.code})\n`);
    process.stdout.write(`${error.message} (${rows} rows read)\n`);
    return 1;
  } finally {
    await db.destroy();
  }
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/strategic_partnerships';

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
