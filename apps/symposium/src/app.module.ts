import type { DynamicModule } from '@nestjs/common';
import {
  MessagingModule,
  partnerSnapshotAccess,
  PlatformModule,
  type PlatformOptions,
} from '@sp/platform';
import { configSchema } from './config';
import { PartnerSnapshotsModule } from './partner-snapshots/partner-snapshots.module';
import { DocumentsModule } from './documents/documents.module';
import { ProgrammeModule } from './programme/programme.module';
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
    ],
  };
}
