import { requiredInProduction, serviceConfigSchema } from '@sp/platform';
import { z } from 'zod';

export const configSchema = serviceConfigSchema(3001)
  .extend({
    /** A new key signs partner tokens after this many days; old keys stay published until their tokens expire. */
    AUTH_KEY_ROTATION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    /** Least time between two reads of the signing-key table for an unknown `kid`: a flood of made-up kids costs one read per interval. */
    AUTH_KEY_RELOAD_FLOOR_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /** How long `/.well-known/jwks.json` is served from memory, and the `max-age` clients may cache it for. */
    AUTH_JWKS_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(10),
    /**
     * The registry's public address (no trailing slash): the Atom feed's id and links are built
     * on it, never on a request's Host. Required in production; outside it, this machine.
     */
    PUBLIC_BASE_URL: z
      .url({ protocol: /^https?$/ })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /** An agreement is `expiring` (not `active`) when its last day is at most this many days ahead. */
    AGREEMENT_EXPIRING_WINDOW_DAYS: z.coerce.number().int().min(1).max(730).default(90),
    /** Largest CSV file `POST /imports/<kind>` accepts, in bytes (other bodies keep BODY_LIMIT). */
    IMPORT_BODY_LIMIT: z.coerce.number().int().min(1024).default(33_554_432),
    /**
     * CSV exports one instance runs at once. Each holds a connection of the request pool for as
     * long as its download lasts; one more is refused with 429 rather than starving other routes.
     */
    EXPORT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(3),
  })
  .superRefine(
    requiredInProduction(
      'PUBLIC_BASE_URL',
      "the activity feed's id and links are built on it (the default is this machine)",
    ),
  )
  .transform((c) => ({ ...c, PUBLIC_BASE_URL: c.PUBLIC_BASE_URL ?? 'http://localhost:3001' }));
export type RegistryConfig = z.infer<typeof configSchema>;
