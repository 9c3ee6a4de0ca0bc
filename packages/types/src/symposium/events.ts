import { z } from 'zod';
import { isoDateTimeSchema, uuid } from '../shared/common';
import { symposiumSnapshotSchema, symposiumStatusSchema } from './symposium';

/** Events the symposium service publishes (topic `symposium-events`). Never rename one. */
export const symposiumEvents = {
  'symposium.created': symposiumSnapshotSchema,
  'symposium.updated': symposiumSnapshotSchema,
  'symposium.status-changed': symposiumSnapshotSchema.extend({
    previousStatus: symposiumStatusSchema,
  }),
  'symposium.programme-published': z.object({
    symposiumId: uuid(),
    sessions: z.number().int().nonnegative(),
    publishedAt: isoDateTimeSchema,
  }),
} as const;
export type SymposiumEventName = keyof typeof symposiumEvents;
