import { z } from 'zod';
import { isoDateTimeSchema, uuid } from '../shared/common';
import { partnerStatusSchema } from './partner';

/** What other services keep of a partner: enough to show and filter by it. */
export const partnerSnapshotSchema = z.object({
  id: uuid(),
  nameEn: z.string(),
  nameJa: z.string().nullable(),
  country: z.string(),
  status: partnerStatusSchema,
  /** The partner's `updatedAt` when the event was written (shown; not what orders events). */
  updatedAt: isoDateTimeSchema,
  /**
   * The partner's version, raised by every committed change: the higher wins, a lower or equal
   * one is ignored. Events written before versions existed carry none and read as 0.
   */
  version: z.number().int().nonnegative().default(0),
});
export type PartnerSnapshot = z.infer<typeof partnerSnapshotSchema>;

/** Events the registry publishes (topic `registry-events`). Names are `domain.event`; never rename one. */
export const registryEvents = {
  'partner.created': partnerSnapshotSchema,
  'partner.updated': partnerSnapshotSchema,
  'partner.status-changed': partnerSnapshotSchema.extend({ previousStatus: partnerStatusSchema }),
} as const;
export type RegistryEventName = keyof typeof registryEvents;
export type RegistryEvent<N extends RegistryEventName = RegistryEventName> = z.infer<
  (typeof registryEvents)[N]
>;
export const registryEventNames = Object.keys(registryEvents) as RegistryEventName[];

/** What `POST /registry-events/replay` did: events moved back to be tried now. */
export const registryEventReplaySchema = z.object({
  /** The service's registry-event queue. */
  queue: z.string(),
  /** Events that had failed for good, tried again. */
  retried: z.number().int().nonnegative(),
  /** Events that were waiting for their next try, tried now. */
  promoted: z.number().int().nonnegative(),
});
export type RegistryEventReplay = z.infer<typeof registryEventReplaySchema>;
