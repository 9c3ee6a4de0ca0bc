import { serviceConfigSchema } from '@sp/platform';
import type { z } from 'zod';

export const configSchema = serviceConfigSchema(3004);
export type AppConfig = z.infer<typeof configSchema>;
