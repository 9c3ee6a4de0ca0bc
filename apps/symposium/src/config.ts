import { serviceConfigSchema } from '@sp/platform';
import { z } from 'zod';

const MB = 1024 * 1024;

/** Content types a document file may have, recognised from its bytes (not its name or header). */
export const defaultDocumentTypes = [
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'image/png',
  'image/jpeg',
  'video/mp4',
];

export const configSchema = serviceConfigSchema(3002).extend({
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
});
export type AppConfig = z.infer<typeof configSchema>;
