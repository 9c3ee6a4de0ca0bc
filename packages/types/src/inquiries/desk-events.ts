import { z } from 'zod';
import { isoDateTimeSchema, uuid } from '../shared/common';
import { slaKindSchema } from './desk';
import { inquirySnapshotSchema } from './events';

/**
 * The desk's events on `inquiry-events` (with `inquiryEvents`), for reports and audit. Names
 * are `domain.event`; never rename one.
 */
export const deskEvents = {
  /** Assigned, linked, category changed (the state has `inquiry.state-changed`). */
  'inquiry.updated': inquirySnapshotSchema,
  /** A duplicate merged into another inquiry (the duplicate's `inquiry.state-changed` says closed). */
  'inquiry.merged': z.object({
    inquiryId: uuid(),
    reference: z.string(),
    intoId: uuid(),
    intoReference: z.string(),
  }),
  /** A due time passed unmet, seen by the SLA sweep (once per inquiry, kind and due time). */
  'inquiry.sla-breached': z.object({
    inquiryId: uuid(),
    reference: z.string(),
    kind: slaKindSchema,
    dueAt: isoDateTimeSchema,
    detectedAt: isoDateTimeSchema,
  }),
} as const;
