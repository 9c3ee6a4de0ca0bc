export type { LogLine, RunningApp } from './app';
export { LogSink, startApp, testConfig } from './app';
export type { TestDatabase } from './database';
export {
  createTemplateDatabase,
  createTestDatabase,
  dropDatabase,
  testServerUrl,
  urlFor,
} from './database';
