import { Module } from '@nestjs/common';
import { PARTNER_KEYS } from '@sp/platform';
import { ApiClientsController, OAuthController } from './access.controller';
import { ApiClientRepository } from './clients.repository';
import { ApiClientsService } from './clients.service';
import { OAuthService } from './oauth.service';
import { SigningKeyStore } from './signing-keys';

@Module({
  controllers: [ApiClientsController, OAuthController],
  providers: [
    ApiClientRepository,
    ApiClientsService,
    OAuthService,
    // The instance the platform verifies partner tokens with (PlatformModule's partnerKeys),
    // so signing and verifying share one key cache.
    { provide: SigningKeyStore, useExisting: PARTNER_KEYS },
  ],
})
export class AccessModule {}
