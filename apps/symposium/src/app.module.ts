import type { DynamicModule } from '@nestjs/common';
import {
  MessagingModule,
  partnerSnapshotAccess,
  PlatformModule,
  type PlatformOptions,
  ServiceJobsModule,
} from '@sp/platform';
import { configSchema } from './config';
import { DocumentsModule } from './documents/documents.module';
import { SymposiumJobs } from './jobs/symposium.jobs';
import { PartnerSnapshotsModule } from './partner-snapshots/partner-snapshots.module';
import { ProgrammeModule } from './programme/programme.module';
import { RegistrationsModule } from './registrations/registrations.module';
import { SymposiumsModule } from './symposiums/symposiums.module';

export const SERVICE = 'symposium';

export const description = {
  title: 'Symposium',
  description:
    'The yearly UTokyo Strategic Partnership Symposium: editions, programme, registrations and documents.',
};

export function appModule(options: Omit<PlatformOptions, 'service'>): DynamicModule {
  return {
    module: class SymposiumAppModule {},
    imports: [
      PlatformModule.forRoot({
        ...options,
        // The service's own settings (document uploads) on top of the platform's.
        config: configSchema.parse(options.config),
        service: SERVICE,
        auditSchema: 'symposium',
        // Partner tokens of an ended partnership are refused once the snapshot shows it.
        partnerAccess: partnerSnapshotAccess('symposium'),
      }),
      PartnerSnapshotsModule,
      // Delivers the symposium outbox (domain events, mail) once each change commits.
      MessagingModule.relay('symposium'),
      SymposiumsModule,
      DocumentsModule,
      ProgrammeModule,
      RegistrationsModule,
      // Its scheduled work (registration reminders) runs here, on its own data.
      ServiceJobsModule.register(SymposiumJobs, { imports: [RegistrationsModule] }),
    ],
  };
}
