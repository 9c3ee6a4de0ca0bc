import type { DynamicModule } from '@nestjs/common';
import {
  partnerSnapshotAccess,
  PlatformModule,
  type PlatformOptions,
  ServiceJobsModule,
} from '@sp/platform';
import { InquiriesJobs } from './jobs/inquiries.jobs';
import { PartnerSnapshotsModule } from './partner-snapshots/partner-snapshots.module';

export const SERVICE = 'inquiries';

export const description = {
  title: 'Inquiries',
  description:
    'Public inquiries to the International Projects Promotion Group, and their handling.',
};

/** The inquiry domain arrives with its own issue; the service already stands on the platform. */
export function appModule(options: Omit<PlatformOptions, 'service'>): DynamicModule {
  return {
    module: class InquiriesAppModule {},
    imports: [
      PlatformModule.forRoot({
        ...options,
        service: SERVICE,
        auditSchema: 'inquiries',
        // Partner tokens of an ended partnership are refused once the snapshot shows it.
        partnerAccess: partnerSnapshotAccess('inquiries'),
      }),
      PartnerSnapshotsModule,
      // Its scheduled work (the SLA sweep) runs here, on its own data.
      ServiceJobsModule.register(InquiriesJobs),
    ],
  };
}
