import { z } from 'zod';
import { isoDateTimeSchema } from './common';
import { partnerStatusSchema } from './partner';

/** What other services keep of a partner: enough to show and filter by it. */
export const partnerSnapshotSchema = z.object({
  id: z.uuid(),
  nameEn: z.string(),
  nameJa: z.string().nullable(),
  country: z.string(),
  status: partnerStatusSchema,
  /** The partner's `updatedAt` when the event was written: newer wins, older is ignored. */
  updatedAt: isoDateTimeSchema,
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
