import { serviceConfigSchema } from '@sp/platform';
import { z } from 'zod';

const queues = ['notifications', 'reports'] as const;

export const configSchema = serviceConfigSchema(3004).extend({
  /** The queues this process works (comma list); one image scales as separate deployments. */
  WORKER_QUEUES: z
    .union([
      z.array(z.enum(queues)),
      z.string().transform((v, ctx) => {
        const names = v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const bad = names.filter((n) => !(queues as readonly string[]).includes(n));
        if (bad.length)
          ctx.addIssue({
            code: 'custom',
            message: `unknown queue(s) ${bad.join(', ')}; known: ${queues.join(', ')}`,
          });
        return names as (typeof queues)[number][];
      }),
    ])
    .default([...queues]),
  /** Where mail goes; unset, each message is written as an .eml file under MAIL_DIR. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected smtp:// or smtps://')
    .optional(),
  MAIL_DIR: z.string().min(1).default('var/mail'),
  MAIL_FROM: z
    .string()
    .min(3)
    .default('International Projects Promotion Group <noreply@strategic-partnerships.example>'),
  NOTIFICATIONS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
});
export type WorkerConfig = z.infer<typeof configSchema>;
