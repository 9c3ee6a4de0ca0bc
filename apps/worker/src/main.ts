// First, before every other module loads: V8 set as the platform runs it.
import '@sp/platform/v8-flags';
import { runService } from '@sp/platform';
import { appModule, description, SERVICE } from './app.module';
import { configSchema } from './config';

void runService({
  service: SERVICE,
  ...description,
  configSchema,
  module: (config) => appModule({ config }),
});
