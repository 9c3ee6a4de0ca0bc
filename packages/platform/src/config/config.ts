import { z } from 'zod';
import { PRETENURING_SETTINGS } from '../runtime/pretenuring';

/** A URL whose scheme is one of `protocols`, e.g. `postgres:`. */
const urlWith = (...protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

/** What every process of the platform reads from its environment. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535),
  DATABASE_URL: urlWith('postgres:', 'postgresql:').default(
    'postgres://postgres@127.0.0.1:5432/strategic_partnerships',
  ),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** A statement running longer is cancelled (server side) and its request answered 503. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
  REDIS_URL: urlWith('redis:', 'rediss:').default('redis://127.0.0.1:6379'),
  /** BullMQ's key prefix (its own default is `bull`). */
  BULLMQ_PREFIX: z
    .string()
    .regex(/^[\w:.-]+$/)
    .default('bull'),
  /** Whether this process relays its outbox and consumes its queues (off for one-off tools). */
  QUEUES_ENABLED: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
    .default(true),
  /** Sent outbox rows are kept this many days (to trace an event), then pruned in batches. */
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /**
   * A consumer's record of processed messages is kept this many days, then pruned in batches.
   * It must outlast any redelivery of a message: BullMQ keeps a job for at most 14 days.
   */
  PROCESSED_MESSAGE_RETENTION_DAYS: z.coerce.number().int().min(15).max(3650).default(30),
  /** Rows per DELETE statement when pruning old rows (outbox, processed messages, deliveries). */
  PRUNE_BATCH_SIZE: z.coerce.number().int().min(10).max(100_000).default(1_000),
  /** A registry event whose effect fails is retried after this long, doubling each time… */
  REGISTRY_EVENTS_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(1_000),
  /** …up to this long between tries; it is retried until applied. */
  REGISTRY_EVENTS_MAX_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
  /**
   * How often a consumer looks for registry events whose run stalled (its process died) to run
   * them again; a stall never fails an event.
   */
  REGISTRY_EVENTS_STALLED_CHECK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** Prefix of every Redis key this process writes (one Redis can serve several deployments, or test files). */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w:.-]*$/)
    .default('sp:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * `json`: one JSON object a line (for log collectors); `pretty`: readable lines (pino-pretty);
   * `auto`: pretty on a terminal, JSON otherwise. `npm start` passes `pretty` when it runs in one.
   */
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  /**
   * JSON logs only: the line each request ends with waits at most this long to be written with
   * others (one write per batch of about 4 KB, not one per request); warnings, errors and every
   * other line are written at once, after the request lines before them, and a process that
   * exits writes what is waiting. 0: every request line at once.
   */
  REQUEST_LOG_FLUSH_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /**
   * `off`: V8 never pretenures an allocation site, which a burst of queued requests would
   * otherwise make it do for good, doubling the cost of every later young collection (see
   * `applyPretenuring`); `on`: V8's default.
   */
  V8_PRETENURING: z.enum(PRETENURING_SETTINGS).default('off'),
  /** After SIGTERM/SIGINT: how long in-flight requests may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(8_000),
  /** Largest request body accepted, in bytes. */
  BODY_LIMIT: z.coerce.number().int().min(1024).default(1_048_576),
  /** The `aud` every token must carry. */
  AUTH_AUDIENCE: z.string().min(1).default('strategic-partnerships'),
  /** The university's identity provider; unset outside production = the development issuer. */
  AUTH_STAFF_ISSUER: z.string().min(1).optional(),
  AUTH_STAFF_JWKS_URL: urlWith('https:', 'http:').optional(),
  /** The development issuer's key file (never used in production). */
  AUTH_DEV_KEY_FILE: z.string().min(1).default('var/dev-auth/staff-key.json'),
  /** Partner tokens: issued by the partner registry, verified from its JWKS. */
  AUTH_PARTNER_ISSUER: z.string().min(1).default('urn:sp:partner-registry'),
  AUTH_PARTNER_JWKS_URL: urlWith('https:', 'http:').default(
    'http://127.0.0.1:3001/.well-known/jwks.json',
  ),
  /** After fetching a JWKS, how long before an unknown `kid` may trigger another fetch. */
  AUTH_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** Staff tokens older than this (by their `iat`) are refused, whatever their `exp` says. */
  AUTH_MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3_600),
  /** Partner tokens older than this are refused; the registry issues them for 600 s. */
  AUTH_PARTNER_MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(600),
  /**
   * How long a service trusts its last look at whether a partner token's partner has ended (and,
   * on the registry, whether its client was revoked): issued tokens stop working this long after.
   */
  AUTH_PARTNER_ACCESS_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** The algorithms staff tokens may be signed with (comma-separated; partner tokens: ES256 only). */
  AUTH_STAFF_ALGORITHMS: z
    .union([
      z.string().transform((value) => value.split(',').map((a) => a.trim())),
      // Already parsed (a config parsed again by a service's own schema).
      z.array(z.string()),
    ])
    .pipe(z.array(z.enum(['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'])).min(1))
    .default(['ES256', 'RS256', 'EdDSA']),
  /** Requests per minute one address may make to each public route. */
  RATE_LIMIT_PUBLIC_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /** Trust this many proxy hops for the client address (X-Forwarded-For); 0 behind none. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** A client must send all request headers within this long (408 otherwise). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** A client must send the whole request, headers and body, within this long (408 otherwise). */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** A socket with no traffic either way for this long is closed. */
  HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  /** An idle keep-alive connection is closed after this long (above a load balancer's 60 s). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(72_000),
  /** One keep-alive connection serves at most this many requests, then closes (0: no limit). */
  HTTP_MAX_REQUESTS_PER_SOCKET: z.coerce.number().int().min(0).default(1_000),
});

/** Production takes staff identities from the university's identity provider, never the dev issuer. */
const productionAuth = (
  config: { NODE_ENV: string; AUTH_STAFF_ISSUER?: string; AUTH_STAFF_JWKS_URL?: string },
  ctx: z.RefinementCtx,
) => {
  if (config.NODE_ENV !== 'production') return;
  for (const key of ['AUTH_STAFF_ISSUER', 'AUTH_STAFF_JWKS_URL'] as const) {
    if (!config[key]) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'is required when NODE_ENV=production (the development issuer is refused there)',
      });
    }
  }
};
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** Node refuses a headers timeout longer than the request timeout. */
const httpTimeouts = (
  config: { HTTP_HEADERS_TIMEOUT_MS: number; HTTP_REQUEST_TIMEOUT_MS: number },
  ctx: z.RefinementCtx,
) => {
  if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS)
    ctx.addIssue({
      code: 'custom',
      path: ['HTTP_HEADERS_TIMEOUT_MS'],
      message: 'must not be longer than HTTP_REQUEST_TIMEOUT_MS',
    });
};

/** The base schema with the service's own default port. */
export const serviceConfigSchema = (defaultPort: number) =>
  baseConfigSchema
    .extend({ PORT: baseConfigSchema.shape.PORT.default(defaultPort) })
    .superRefine(productionAuth)
    .superRefine(httpTimeouts);

/**
 * For a setting production must give (a public address mail or feeds link to): a refinement
 * that names it when NODE_ENV=production leaves it unset, or only when `needed` says the rest
 * of the config uses it. Outside production the schema's transform puts the development value
 * in its place.
 */
export const requiredInProduction =
  <C extends Record<string, unknown> & { NODE_ENV: string }>(
    key: string,
    why: string,
    needed: (config: C) => boolean = () => true,
  ) =>
  (config: C, ctx: z.RefinementCtx): void => {
    if (config.NODE_ENV === 'production' && config[key] === undefined && needed(config))
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `is required when NODE_ENV=production: ${why}`,
      });
  };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Variables whose value is never echoed, whatever is wrong with it. */
const SECRET_NAME = /SECRET|PASSWORD|TOKEN|KEY/i;

/**
 * Parses the environment once, listing every bad variable: its name, what was expected and
 * (unless it may be secret: a URL's password, or a variable named like a secret) what was given.
 */
export function loadConfig<S extends z.ZodType<object>>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  // An empty variable means "not set", so defaults apply (as in docker-compose `FOO=`).
  const given = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = schema.safeParse(given);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const value = given[name];
      const shown =
        value === undefined
          ? 'it is not set'
          : SECRET_NAME.test(name)
            ? `got ${value.length} characters, not shown`
            : `got ${JSON.stringify(redactUrl(value))}`;
      return `${name}: ${issue.message} (${shown})`;
    }),
  );
}

function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}
