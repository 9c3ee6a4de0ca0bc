export type { LogLine, RunningApp, TestApp } from './app';
export {
  dropRedisKeys,
  LogSink,
  startApp,
  testConfig,
  useTestApp,
  useTestAppWithSmtp,
} from './app';
export type { TestDatabase } from './database';
export {
  createTemplateDatabase,
  createTestDatabase,
  dropDatabase,
  dropOrphanedDatabases,
  testServerUrl,
  urlFor,
} from './database';
export {
  expiredStaffToken,
  staffToken,
  staffTokenFromUnknownKey,
  TEST_AUDIENCE,
  TEST_DEV_KEY_FILE,
  TestIdentityProvider,
  TestPartnerIssuer,
  unsignedToken,
} from './auth';
export type { Caller, MatrixResult, MatrixRow } from './matrix';
export {
  auditRow,
  callers,
  callerTokens,
  platformRows,
  runMatrix,
  useTestAppWithPartners,
} from './matrix';
export { TcpProxy } from './proxy';
export type { ReceivedMail } from './smtp';
export { SmtpSink } from './smtp';
export { waitFor, waitForLockWait } from './wait';
export type { ServiceProcess } from './process';
export { startServiceProcess } from './process';
export type { RouteInfo } from './routes';
export { listRoutes } from './routes';
export type { As, ClientTarget } from './client';
export {
  asHead,
  basicAuth,
  form,
  inquiriesClient,
  rawBody,
  registryClient,
  symposiumClient,
  unchecked,
  workerClient,
} from './client';
export type { ProblemResult } from './problem';
export { expectProblem } from './problem';
export type {
  ActivityBody,
  ActivityCreateBody,
  AgreementBody,
  AgreementCreateBody,
  AgreementRow,
  Factories,
  FundingBody,
  FundingCreateBody,
  MobilityCreateBody,
  MobilityRecordBody,
  InboundMessageRow,
  InquiryMessageRow,
  InquiryRow,
  PartnerCreateBody,
  PartnerDetailBody,
  ContactBody,
  ContactCreateBody,
  FacultyLeadBody,
  FacultyLeadCreateBody,
  PartnerSnapshotRow,
  SymposiumDocumentRow,
  SymposiumRow,
  TestApiClient,
} from './factories';
export { FACTORY_INQUIRY_YEAR, factories } from './factories';
