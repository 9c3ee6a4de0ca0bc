// The partner registry's contracts (apps/partner-registry): partners and agreements, API
// clients and tokens, and the events it publishes.
export * from './partner';
export * from './agreement';
export * from './access';
export * from './events';
export * from './people';
export * from './search';
export * from './activity';
export * from './mobility';
export * from './funding';
export * from './public';
export * from './records';
export * from './transfer';
