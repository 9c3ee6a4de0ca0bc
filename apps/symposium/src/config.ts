import { serviceConfigSchema } from '@sp/platform';
import type { z } from 'zod';

export const configSchema = serviceConfigSchema(3002);
export type AppConfig = z.infer<typeof configSchema>;
