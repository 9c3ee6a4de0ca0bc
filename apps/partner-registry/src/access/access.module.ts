import { Module } from '@nestjs/common';
import { ApiClientsController, OAuthController } from './access.controller';
import { ApiClientRepository } from './clients.repository';
import { ApiClientsService } from './clients.service';
import { OAuthService } from './oauth.service';
import { SigningKeyStore } from './signing-keys';

@Module({
  controllers: [ApiClientsController, OAuthController],
  providers: [ApiClientRepository, ApiClientsService, OAuthService, SigningKeyStore],
})
export class AccessModule {}
