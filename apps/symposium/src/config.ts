import { serviceConfigSchema } from '@sp/platform';
import { z } from 'zod';

const DEV_LINK_SECRET = 'dev-only-registration-link-secret-change-me';

/** The symposium service's own settings (over the platform's). */
export const symposiumSettingsSchema = z.object({
  /** Where the public reaches this service: the base of the links in registration mail. */
  SYMPOSIUM_PUBLIC_URL: z.url().default('http://localhost:3002'),
  /**
   * Derives each registration's secret view/cancel link (HMAC), so every mail about a
   * registration can carry it while only its hash is stored. Changing it invalidates every link.
   */
  SYMPOSIUM_LINK_SECRET: z.string().min(32).default(DEV_LINK_SECRET),
});
export type SymposiumSettings = z.infer<typeof symposiumSettingsSchema>;

export const configSchema = serviceConfigSchema(3002)
  .and(symposiumSettingsSchema)
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.SYMPOSIUM_LINK_SECRET === DEV_LINK_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['SYMPOSIUM_LINK_SECRET'],
        message: 'must be set to a secret of its own in production',
      });
  });
export type AppConfig = z.infer<typeof configSchema>;
