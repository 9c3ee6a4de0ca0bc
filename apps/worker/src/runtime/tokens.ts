/**
 * Every BullMQ queue of the system (`Queue[]`), whichever process works it: the worker's
 * metrics and dashboard see them all.
 */
export const ALL_QUEUES = Symbol('ALL_QUEUES');
