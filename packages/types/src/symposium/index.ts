// The symposium service's contracts (apps/symposium).
export * from './symposium';
export * from './registration';
