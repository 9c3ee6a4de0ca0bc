// `@sp/platform/dev`: development tools, not for a service's runtime code. Staff tokens from
// the development issuer, for the `token` CLI (cli/token.ts), tests (@sp/testing) and benches.
export type { DevKey } from './auth/dev-issuer';
export { DEV_STAFF_ISSUER, loadDevKey, mintDevStaffToken } from './auth/dev-issuer';
