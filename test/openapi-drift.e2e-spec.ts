import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import * as prettier from 'prettier';
import type { DynamicModule } from '@nestjs/common';
import type { AppDescription, PlatformOptions } from '@sp/platform';
import { useTestApp } from '@sp/testing';
import * as inquiries from '../apps/inquiries/src/app.module';
import * as registry from '../apps/partner-registry/src/app.module';
import * as symposium from '../apps/symposium/src/app.module';
import * as worker from '../apps/worker/src/app.module';

/**
 * The committed OpenAPI documents are the services' contract (and what the client is generated
 * from): a route, body or status code that changes without them fails here.
 */
const REGENERATE = 'npm run openapi';
const root = join(__dirname, '../packages/client');

type App = {
  appModule: (options: Omit<PlatformOptions, 'service'>) => DynamicModule;
  description: AppDescription;
};
const services: [string, App][] = [
  ['partner-registry', registry],
  ['symposium', symposium],
  ['inquiries', inquiries],
  ['worker', worker],
];

/** Runs `check`; on failure, the same message headed by what differs and how to fix it. */
function orRegenerate(what: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    throw new Error(
      `${what}. Regenerate the documents and the client with \`${REGENERATE}\` and commit them.\n\n${(error as Error).message}`,
      { cause: error },
    );
  }
}

describe.each(services)('%s', (service, app) => {
  const ctx = useTestApp(app.appModule, app.description);
  const documentFile = join(root, 'openapi', `${service}.json`);
  const committed = JSON.parse(readFileSync(documentFile, 'utf8')) as OpenAPI3;

  it('serves the committed OpenAPI document', async () => {
    const res = await fetch(`${ctx.running.url}/openapi.json`);
    expect(res.status).toBe(200);
    const live: unknown = await res.json();
    orRegenerate(
      `The running ${service}'s /openapi.json differs from packages/client/openapi/${service}.json`,
      () => expect(live).toEqual(committed),
    );
  });

  it('has client types generated from that document', async () => {
    const generated = readFileSync(join(root, 'src/generated', `${service}.ts`), 'utf8');
    const header = generated.slice(0, generated.indexOf('\n') + 1);
    const expected = await prettier.format(
      header + astToString(await openapiTS(committed, { alphabetize: true })),
      { ...(await prettier.resolveConfig(documentFile)), parser: 'typescript' },
    );
    orRegenerate(
      `packages/client/src/generated/${service}.ts is not what openapi-typescript makes of packages/client/openapi/${service}.json`,
      () => expect(generated).toBe(expected),
    );
  });
});
