import { Module } from '@nestjs/common';
import { PARTNER_ACCESS, PARTNER_KEYS } from '@sp/platform';
import { ApiClientsController } from './api-clients.controller';
import { ApiClientsRepository } from './api-clients.repository';
import { ApiClientsService } from './api-clients.service';
import { ClientAccessCheck } from './client-access.check';
import { OAuthController } from './oauth.controller';
import { OAuthService } from './oauth.service';
import { SigningKeyStore } from './signing-key.store';

@Module({
  controllers: [ApiClientsController, OAuthController],
  providers: [
    ApiClientsRepository,
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
