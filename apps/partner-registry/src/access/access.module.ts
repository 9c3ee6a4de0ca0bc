import { Module } from '@nestjs/common';
import { PARTNER_ACCESS, PARTNER_KEYS } from '@sp/platform';
import { ClientAccessCheck } from './client-access';
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
    // Likewise the instance that checks partner tokens, so a revocation here is seen at once.
    { provide: ClientAccessCheck, useExisting: PARTNER_ACCESS },
  ],
  // Ending a partnership revokes its clients (PartnersService).
  exports: [ApiClientsService],
})
export class AccessModule {}
