import type { DynamicModule } from '@nestjs/common';
import {
  MessagingModule,
  partnerSnapshotAccess,
  PlatformModule,
  type PlatformOptions,
  ServiceJobsModule,
} from '@sp/platform';
import { CannedResponsesModule } from './canned-responses/canned-responses.module';
import { configSchema } from './config';
import { DeskModule } from './desk/desk.module';
import { InboundMailModule } from './inbound-mail/inbound-mail.module';
import { InquiriesModule } from './inquiries/inquiries.module';
import { InquiriesJobs } from './jobs/inquiries.jobs';
import { PartnerSnapshotsModule } from './partner-snapshots/partner-snapshots.module';
import { SlaModule } from './sla/sla.module';

export const SERVICE = 'inquiries';

export const description = {
  title: 'Inquiries',
  description:
    'Public inquiries to the International Projects Promotion Group, and their handling.',
};

export function appModule(options: Omit<PlatformOptions, 'service'>): DynamicModule {
  return {
    module: class InquiriesAppModule {},
    imports: [
      PlatformModule.forRoot({
        ...options,
        // The service's own settings (attachment limits, the inbound SMTP listener) get their
        // defaults too when a caller (a test) passes only the platform's.
        config: configSchema.parse(options.config),
        service: SERVICE,
        auditSchema: 'inquiries',
        // Partner tokens of an ended partnership are refused once the snapshot shows it.
        partnerAccess: partnerSnapshotAccess('inquiries'),
      }),
      PartnerSnapshotsModule,
      // Its events and mails leave through its outbox.
      MessagingModule.relay('inquiries'),
      InquiriesModule,
      InboundMailModule,
      DeskModule,
      CannedResponsesModule,
      // Its scheduled work (the SLA sweep) runs here, on its own data.
      ServiceJobsModule.register(InquiriesJobs, { imports: [SlaModule] }),
    ],
  };
}
