export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/strategic_partnerships';

export function databaseUrl(): string {
  return process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
}

/** Runs a CLI's main, printing a one-line error (not a stack) and exiting 1 on failure. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    const hint =
      code === 'ECONNREFUSED' || /ECONNREFUSED|timeout/i.test(message)
        ? '\nIs PostgreSQL running? Start one with `docker compose up -d postgres`, or set DATABASE_URL.'
        : '';
    process.stderr.write(`error: ${message}${hint}\n`);
    process.exit(1);
  });
}
