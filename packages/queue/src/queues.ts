/**
 * Queue names. Never rename one: waiting jobs reference it. Job contracts and producers come
 * with the asynchronous-backbone issue.
 */
export const queueNames = {
  notifications: 'notifications',
  reports: 'reports',
  registryEvents: 'registry-events',
} as const;
export type QueueName = (typeof queueNames)[keyof typeof queueNames];
