import { serviceConfigSchema } from '@sp/platform';
import { z } from 'zod';

export const configSchema = serviceConfigSchema(3001).extend({
  /** A new key signs partner tokens after this many days; old keys stay published until their tokens expire. */
  AUTH_KEY_ROTATION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
});
export type RegistryConfig = z.infer<typeof configSchema>;
