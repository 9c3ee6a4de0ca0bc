import { z } from 'zod';
import { isoDateTimeSchema, pageOf } from './common';

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: isoDateTimeSchema,
    actor: z.object({
      kind: z.enum(['staff', 'partner', 'anonymous', 'system']),
      /** The staff member's `sub`, or the partner API client's id. */
      id: z.string().nullable(),
    }),
    entity: z.string(),
    entityId: z.string(),
    action: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditQuerySchema = z
  .object({
    entity: z.string().min(1).max(100),
    entityId: z.string().min(1).max(200),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The id of the last entry seen: the page continues with older ones. */
    before: z.coerce.number().int().positive().optional(),
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditPageSchema = pageOf(auditEntrySchema);
export type AuditPage = z.infer<typeof auditPageSchema>;
