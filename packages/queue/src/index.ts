export type { QueueName } from './queues';
export { queueNames } from './queues';
export type { RedisEvents, RedisRole } from './redis';
export { closeRedis, createRedis } from './redis';
