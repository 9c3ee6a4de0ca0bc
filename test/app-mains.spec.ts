/**
 * Every app's `main` imports `@sp/platform/v8-flags` before anything else: V8's pretenuring
 * decisions made while the other modules load are kept (V8 hardly ever takes one back; see
 * packages/platform/src/runtime/pretenuring.ts), so the import must come first, not merely be
 * there.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const appsDir = join(__dirname, '..', 'apps');
const apps = readdirSync(appsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const firstImport = (source: string): string | undefined => /^import\s[^;]*;/m.exec(source)?.[0];

describe('app mains', () => {
  it('finds the four apps', () => {
    expect(apps.sort()).toEqual(['inquiries', 'partner-registry', 'symposium', 'worker']);
  });

  it.each(apps)('%s imports @sp/platform/v8-flags first', (app) => {
    const source = readFileSync(join(appsDir, app, 'src', 'main.ts'), 'utf8');
    expect(firstImport(source)).toBe("import '@sp/platform/v8-flags';");
  });
});
