// The symposium service's contracts (apps/symposium).
export * from './symposium';
export * from './programme';
export * from './events';
export * from './registration';
