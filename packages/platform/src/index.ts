export { AppError } from './app-error';
export type { AuditRecord } from './audit';
export { AuditLog } from './audit';
export type { AuthPolicy } from './auth/decorators';
export { AUTH_POLICY, Public, Roles, Scopes } from './auth/decorators';
export type { DevKey } from './auth/dev-issuer';
export { DEV_STAFF_ISSUER, loadDevKey, mintDevStaffToken } from './auth/dev-issuer';
export { AccessAnswers, partnerSnapshotAccess } from './auth/partner-access';
export type { Principal } from './auth/principal';
export { actorOf } from './auth/principal';
export type { RequestContext } from './auth/request-context';
export { boundPartnerId, requestContext } from './auth/request-context';
export type { PartnerAccessCheck, PartnerKeySource } from './auth/token-verifier';
export {
  ALLOWED_ALGORITHMS,
  PARTNER_ACCESS,
  invalidToken,
  PARTNER_KEYS,
  TokenVerifier,
} from './auth/token-verifier';
export type { AppDescription, ServiceDefinition } from './bootstrap';
export { createApp, runService } from './bootstrap';
export type { BaseConfig } from './config';
export { baseConfigSchema, ConfigError, loadConfig, serviceConfigSchema } from './config';
export type { HealthCheck } from './health';
export type { PlatformOptions } from './platform.module';
export { PlatformModule } from './platform.module';
export { toProblem } from './problem';
export { REQUEST_ID_HEADER } from './request-id';
export { Responds } from './responds.decorator';
export type { RouteInfo } from './routes';
export { listRoutes } from './routes';
export { APP_CONFIG, KYSELY, METRICS_REGISTRY, REDIS, SERVICE_NAME } from './tokens';
export { findNul, ZodValidationPipe } from './zod-validation.pipe';
export { OutboxRelayService, PartnerSnapshotConsumer, QueuesModule } from './queues';
export type { ServiceJobs } from './messaging/service-jobs';
export { ServiceJobRunner, ServiceJobsModule } from './messaging/service-jobs';
