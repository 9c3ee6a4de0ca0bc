/** Injection tokens the platform provides to every service. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const KYSELY = Symbol('KYSELY');
export const REDIS = Symbol('REDIS');
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
/** The pino logger the request lines are written with (`logRequests`). */
export const REQUEST_LOGGER = Symbol('REQUEST_LOGGER');
