import { z } from 'zod';

export const dependencyCheckSchema = z.object({
  status: z.enum(['up', 'down']),
  /** Whether this dependency being down makes the service not ready. */
  required: z.boolean(),
  latencyMs: z.number().optional(),
  error: z.string().optional(),
});
export type DependencyCheck = z.infer<typeof dependencyCheckSchema>;

export const healthSchema = z.object({
  status: z.enum(['ok', 'error']),
  service: z.string(),
  checks: z.record(z.string(), dependencyCheckSchema),
});
export type Health = z.infer<typeof healthSchema>;
