/** Every BullMQ queue the worker knows (`Queue[]`): for its metrics, schedules and dashboard. */
export const WORKER_QUEUES = Symbol('WORKER_QUEUES');
