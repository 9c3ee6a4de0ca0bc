// Contracts every service shares: common fields and pages, problems, health, staff roles and
// partner scopes, the audit trail.
export * from './common';
export * from './health';
export * from './problem';
export * from './auth';
export * from './audit';
export * from './money';
