import { serviceConfigSchema } from '@sp/platform';
import type { z } from 'zod';

export const configSchema = serviceConfigSchema(3001);
export type RegistryConfig = z.infer<typeof configSchema>;
