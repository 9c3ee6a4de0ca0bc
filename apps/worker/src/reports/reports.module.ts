import { Processor } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { queueNames } from '@sp/queue';
import type { WorkerConfig } from '../config';
import { processorOptions } from '../runtime/processor-lifecycle';
import { ReportsProcessor } from './reports.processor';

@Module({})
export class ReportsModule {
  static register(config: WorkerConfig): DynamicModule {
    @Processor(queueNames.reports, processorOptions(config, config.REPORTS_CONCURRENCY))
    class ConfiguredReportsProcessor extends ReportsProcessor {}
    return {
      module: ReportsModule,
      providers: [{ provide: ReportsProcessor, useClass: ConfiguredReportsProcessor }],
    };
  }
}
