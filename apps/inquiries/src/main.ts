import { runService } from '@sp/platform';
import { appModule, description, SERVICE } from './app.module';
import { configSchema } from './config';

void runService({
  service: SERVICE,
  ...description,
  configSchema,
  module: (config) => appModule({ config }),
});
