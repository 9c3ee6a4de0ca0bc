import { Processor } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, FILE_STORE, LocalDiskFileStore, MessagingModule } from '@sp/platform';
import { queueNames } from '@sp/queue';
import type { WorkerConfig } from '../config';
import { processorOptions } from '../runtime/processor-lifecycle';
import { formatWriters } from './formats/index';
import { createReportKinds } from './kinds/index';
import { ReportsBuilder } from './reports.builder';
import { ReportsController } from './reports.controller';
import { ReportsProcessor } from './reports.processor';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';
import { FORMAT_WRITERS, REPORT_KINDS } from './reports.tokens';

/**
 * The reports API, and the relay of its outbox, in every worker process (they serve HTTP
 * whatever queues they work); the builder and the schedules' handlers only where this process
 * works the `reports` queue.
 */
@Module({})
export class ReportsModule {
  static register(config: WorkerConfig, options: { process: boolean }): DynamicModule {
    @Processor(
      queueNames.reports,
      processorOptions(config, {
        concurrency: config.REPORTS_CONCURRENCY,
        maxStalls: config.REPORTS_MAX_STALLS,
      }),
    )
    class ConfiguredReportsProcessor extends ReportsProcessor {}
    return {
      module: ReportsModule,
      imports: [MessagingModule.relay('reports')],
      controllers: [ReportsController],
      providers: [
        ReportsRepository,
        ReportsService,
        // Copies: a test registering a fixture kind changes its own app only.
        {
          provide: REPORT_KINDS,
          useFactory: () => createReportKinds({ closures: config.INQUIRY_CLOSURE_DAYS }),
        },
        { provide: FORMAT_WRITERS, useFactory: () => ({ ...formatWriters }) },
        {
          provide: FILE_STORE,
          inject: [APP_CONFIG],
          useFactory: (c: WorkerConfig) => new LocalDiskFileStore(c.STORAGE_DIR),
        },
        ...(options.process
          ? [ReportsBuilder, { provide: ReportsProcessor, useClass: ConfiguredReportsProcessor }]
          : []),
      ],
    };
  }
}
