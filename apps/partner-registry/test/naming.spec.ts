import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

/**
 * STYLE.md §8 and §11, checked: one class per file, named after it (`<domain>.<role>.ts` holds
 * `<Domain><Role>`; acronyms keep their case, so `oauth.service.ts` holds `OAuthService`).
 * DTO files are the one exception: each holds the zod-derived `…Dto` classes of its controller.
 */
const src = join(__dirname, '..', 'src');

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name)
      ? [path]
      : [];
  });

/** Top-level classes only: a class expression inside a function (a dynamic module) is not one. */
const classesIn = (path: string): string[] =>
  [...readFileSync(path, 'utf8').matchAll(/^(?:export )?(?:abstract )?class (\w+)/gm)].map(
    (m) => m[1]!,
  );

/** `api-clients.repository.ts` → `apiclientsrepository`, to compare with `ApiClientsRepository`. */
const flat = (name: string): string => name.replace(/[-.]/g, '').toLowerCase();

/** Where each class sits and what is wrong with it; empty when the registry follows the rule. */
export function namingProblems(files: { path: string; classes: string[] }[]): string[] {
  return files.flatMap(({ path, classes }) => {
    const file = basename(path);
    if (file.endsWith('.dto.ts'))
      return classes.filter((c) => !c.endsWith('Dto')).map((c) => `${path}: ${c} is not a DTO`);
    if (classes.length > 1) return [`${path}: ${classes.join(', ')} (one class per file)`];
    const [name] = classes;
    if (name === undefined) return [];
    if (!/^[a-z0-9-]+\.[a-z]+\.ts$/.test(file))
      return [`${path}: ${name} lives in a file not named <domain>.<role>.ts`];
    return flat(file.slice(0, -3)) === name.toLowerCase()
      ? []
      : [`${path}: ${name} does not match its file name`];
  });
}

describe('registry file and class names', () => {
  it('agree: one class per file, <domain>.<role>.ts ↔ <Domain><Role>', () => {
    const files = sources(src).map((path) => ({
      path: relative(src, path),
      classes: classesIn(path),
    }));
    expect(files.length).toBeGreaterThan(20);
    expect(namingProblems(files)).toEqual([]);
  });

  it('are told apart by the check (it can fail)', () => {
    expect(
      namingProblems([
        {
          path: 'access/access.controller.ts',
          classes: ['ApiClientsController', 'OAuthController'],
        },
        { path: 'partners/partners.repository.ts', classes: ['PartnerRepository'] },
        { path: 'access/signing-keys.ts', classes: ['SigningKeyStore'] },
        { path: 'access/oauth.service.ts', classes: ['OAuthService'] },
        { path: 'partners/partners.dto.ts', classes: ['PartnerCreateDto', 'Helper'] },
        { path: 'partners/partner-status.ts', classes: [] },
      ]),
    ).toEqual([
      'access/access.controller.ts: ApiClientsController, OAuthController (one class per file)',
      'partners/partners.repository.ts: PartnerRepository does not match its file name',
      'access/signing-keys.ts: SigningKeyStore lives in a file not named <domain>.<role>.ts',
      'partners/partners.dto.ts: Helper is not a DTO',
    ]);
  });
});
