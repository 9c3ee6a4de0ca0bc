// Job payloads and the worker's own endpoints (apps/worker): notifications and deliveries.
export * from './notifications';
