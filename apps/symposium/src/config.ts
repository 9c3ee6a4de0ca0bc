import { requiredInProduction, serviceConfigSchema } from '@sp/platform';
import { z } from 'zod';

const DEV_LINK_SECRET = 'dev-only-registration-link-secret-change-me';
/** Where the public reaches the service when it runs on this machine (not in production). */
const DEV_PUBLIC_URL = 'http://localhost:3002';

/** The symposium service's own settings (over the platform's). */
export const symposiumSettingsSchema = z.object({
  /** Where the public reaches this service: the base of the links in registration mail. */
  SYMPOSIUM_PUBLIC_URL: z.url(),
  /**
   * Derives each registration's secret view/cancel link (HMAC), so every mail about a
   * registration can carry it while only its hash is stored. Changing it invalidates every link.
   */
  SYMPOSIUM_LINK_SECRET: z.string().min(32).default(DEV_LINK_SECRET),
});
export type SymposiumSettings = z.infer<typeof symposiumSettingsSchema>;

const MB = 1024 * 1024;

/** Content types a document file may have, recognised from its bytes (not its name or header). */
export const defaultDocumentTypes = [
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'image/png',
  'image/jpeg',
  'video/mp4',
];

export const configSchema = serviceConfigSchema(3002)
  .extend({
    /** Where uploaded document files are stored (the local-disk file store; created on first write). */
    STORAGE_DIR: z.string().min(1).default('./var/storage'),
    /** Bytes one uploaded document file may have (slides and recordings are large). */
    DOCUMENT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(2048 * MB)
      .default(200 * MB),
    /**
     * Uploads read at once: a file is held whole while its type is checked and it is stored
     * (two 200 MB uploads at once would pass a 512 MiB pod). The others wait, their bodies
     * unread; past DOCUMENT_UPLOADS_WAITING waiting, another is a 503 to retry.
     */
    DOCUMENT_UPLOAD_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
    DOCUMENT_UPLOADS_WAITING: z.coerce.number().int().min(0).max(100).default(4),
    /**
     * Allowed document content types (comma-separated), each checked against the file's bytes.
     * Read from a string (the environment) or a list (a config parsed once already: main.ts
     * parses it, then the app module again).
     */
    DOCUMENT_TYPES: z.preprocess(
      (v) =>
        typeof v === 'string'
          ? v
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean)
          : v,
      z.array(z.string().min(1)).min(1).default(defaultDocumentTypes),
    ),
    ...symposiumSettingsSchema.shape,
    /** Required in production (see the settings above); outside it, this machine. */
    SYMPOSIUM_PUBLIC_URL: z.url().optional(),
  })
  .superRefine(
    requiredInProduction(
      'SYMPOSIUM_PUBLIC_URL',
      'registration mail links to it (the default is this machine)',
    ),
  )
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.SYMPOSIUM_LINK_SECRET === DEV_LINK_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['SYMPOSIUM_LINK_SECRET'],
        message: 'must be set to a secret of its own in production',
      });
  })
  .transform((c) => ({ ...c, SYMPOSIUM_PUBLIC_URL: c.SYMPOSIUM_PUBLIC_URL ?? DEV_PUBLIC_URL }));
export type AppConfig = z.infer<typeof configSchema>;
