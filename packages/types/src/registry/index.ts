// The partner registry's contracts (apps/partner-registry): partners and agreements, API
// clients and tokens, and the events it publishes.
export * from './partner';
export * from './access';
export * from './events';
export * from './transfer';
