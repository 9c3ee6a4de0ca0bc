import { activitySnapshotSchema } from './activity';
import { fundingSnapshotSchema } from './funding';
import { mobilitySnapshotSchema } from './mobility';

/**
 * Activities', mobility reports' and funding records' events (topic `registry-records`, no
 * consumer yet). Names are `domain.event`; never rename one.
 */
export const activityRecordEvents = {
  'activity.created': activitySnapshotSchema,
  'activity.updated': activitySnapshotSchema,
  'activity.submitted': activitySnapshotSchema,
  'activity.approved': activitySnapshotSchema,
  'activity.returned': activitySnapshotSchema,
} as const;

export const mobilityRecordEvents = {
  'mobility.created': mobilitySnapshotSchema,
  'mobility.updated': mobilitySnapshotSchema,
  'mobility.approved': mobilitySnapshotSchema,
  'mobility.returned': mobilitySnapshotSchema,
} as const;

export const fundingRecordEvents = {
  'funding.created': fundingSnapshotSchema,
  'funding.updated': fundingSnapshotSchema,
} as const;
