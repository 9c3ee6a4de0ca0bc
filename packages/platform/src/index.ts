// The runtime entry: what a service's code imports. Development tools (minting staff tokens,
// the `token` CLI) are in `@sp/platform/dev`; test helpers (listing routes) in `@sp/testing`.
export { AppError } from './app-error';
export { fromSpreadsheetSafe, spreadsheetSafe, spreadsheetSafeSql } from './csv/spreadsheet-safe';
export type { AuditRecord } from './audit/audit-log';
export { AuditLog } from './audit/audit-log';
export type { AuthPolicy } from './auth/decorators';
export { AUTH_POLICY, Public, Roles, Scopes } from './auth/decorators';
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
export type { BaseConfig } from './config/config';
export {
  baseConfigSchema,
  ConfigError,
  loadConfig,
  requiredInProduction,
  serviceConfigSchema,
} from './config/config';
export type { HealthCheck } from './http/health';
export type { PlatformOptions } from './platform.module';
export { PlatformModule } from './platform.module';
export { toProblem } from './http/problem';
export { ProblemDto } from './http/problem.dto';
export { REQUEST_ID_HEADER } from './http/request-id';
export { Gate } from './runtime/gate';
export { scavengeEvery } from './runtime/startup-heap';
export { Responds, RespondsWith } from './http/responds.decorator';
export { securityHeaders } from './http/security-headers';
export { APP_CONFIG, KYSELY, METRICS_REGISTRY, REDIS, SERVICE_NAME } from './tokens';
export { findNul, ZodValidationPipe } from './http/zod-validation.pipe';
export { MessagingModule } from './messaging/messaging.module';
export { OutboxRelayService } from './messaging/outbox-relay.service';
export { RegistryEventConsumer } from './messaging/registry-event-consumer';
export type { RegistryEventHandler } from './messaging/registry-event-handler';
export { CursorCodec, invalidCursor } from './http/cursor-codec';
export { ONCE_A_MINUTE_MS, throttled } from './logging/throttled';
export type { ServiceJobs } from './messaging/service-jobs';
export { ServiceJobRunner, ServiceJobsModule } from './messaging/service-jobs';
export type { ExpectedVersion } from './http/if-match';
export {
  checkVersion,
  etagOf,
  IfMatch,
  notModified,
  parseIfMatch,
  Preconditioned,
  sendETag,
} from './http/if-match';
export { createZodDto } from './http/zod-dto';
export type { FileStore } from './storage/file-store';
export { assertStorageKey, FILE_STORE } from './storage/file-store';
export { LocalDiskFileStore } from './storage/local-disk.file-store';
export type { BusinessHours, BusinessHoursOptions, Closure } from './time/business-hours';
export { businessHours, parseClosures } from './time/business-hours';
export { todayInTokyo, yearInTokyo } from './time/tokyo-date';
export { closureDaysSchema } from './config/closure-days';
