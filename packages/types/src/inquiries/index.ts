// The inquiries service's contracts (apps/inquiries), one file per module.
export * from './desk';
export * from './desk-events';
export * from './events';
export * from './inbound';
export * from './inquiry';
