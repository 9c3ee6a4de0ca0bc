import type { DynamicModule } from '@nestjs/common';
import {
  MessagingModule,
  PlatformModule,
  type PlatformOptions,
  ServiceJobsModule,
} from '@sp/platform';
import { AccessModule } from './access/access.module';
import { AgreementsModule } from './agreements/agreements.module';
import { configSchema } from './config';
import { RegistryJobs } from './jobs/registry.jobs';
import { ClientAccessCheck } from './access/client-access.check';
import { SigningKeyStore } from './access/signing-key.store';
import { ActivitiesModule } from './activities/activities.module';
import { FundingModule } from './funding/funding.module';
import { MobilityModule } from './mobility/mobility.module';
import { PartnersModule } from './partners/partners.module';
import { PeopleModule } from './people/people.module';
import { ExportsModule } from './exports/exports.module';
import { ImportsModule } from './imports/imports.module';
import { PublicModule } from './public/public.module';
import { SearchModule } from './search/search.module';

export const SERVICE = 'partner-registry';

export const description = {
  title: 'Partner registry',
  description:
    'Overseas partner universities of the Strategic Partnerships programme and everything done with them.',
};

export function appModule(options: Omit<PlatformOptions, 'service'>): DynamicModule {
  return {
    module: class RegistryAppModule {},
    imports: [
      PlatformModule.forRoot({
        ...options,
        // The registry's own settings (key rotation) get their defaults too when a caller
        // (a test) passes only the platform's.
        config: configSchema.parse(options.config),
        service: SERVICE,
        auditSchema: 'registry',
        // The registry signs partner tokens, so it verifies them with its own key store.
        partnerKeys: SigningKeyStore,
        // ...and checks on every request that a partner token's client still has access.
        partnerAccess: ClientAccessCheck,
      }),
      MessagingModule.relay('registry'),
      // Its scheduled work (agreement-expiry reminders) runs here, on its own data.
      ServiceJobsModule.register(RegistryJobs, { imports: [AgreementsModule] }),
      PartnersModule,
      AgreementsModule,
      PeopleModule,
      AccessModule,
      ActivitiesModule,
      MobilityModule,
      FundingModule,
      PublicModule,
      SearchModule,
      ExportsModule,
      ImportsModule,
    ],
  };
}
