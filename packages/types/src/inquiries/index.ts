// The inquiries service's contracts (apps/inquiries), one file per module.
export * from './events';
export * from './inbound';
export * from './inquiry';
