import { Body, Controller, Get, Headers, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, Public, Responds, Roles } from '@sp/platform';
import type { ApiClient, ApiClientList, ApiClientWithSecret, Jwks, TokenResponse } from '@sp/types';
import type { FastifyReply } from 'fastify';
import type { RegistryConfig } from '../config';
import {
  ApiClientCreateDto,
  ApiClientDto,
  ApiClientListDto,
  ApiClientWithSecretDto,
  ClientIdParamsDto,
  JwksDto,
  PartnerIdParamsDto,
  TokenResponseDto,
} from './access.dto';
import { ApiClientsService } from './clients.service';
import { OAuthService } from './oauth.service';
import { SigningKeyStore } from './signing-keys';

@ApiTags('api clients')
@Controller()
export class ApiClientsController {
  constructor(private readonly clients: ApiClientsService) {}

  /** A new API client for a partner. The secret is in this answer and nowhere else, ever. */
  @Post('partners/:id/clients')
  @Roles('admin')
  @Responds(201, ApiClientWithSecretDto, 401, 403, 404)
  create(
    @Param() { id }: PartnerIdParamsDto,
    @Body() body: ApiClientCreateDto,
  ): Promise<ApiClientWithSecret> {
    return this.clients.create(id, body);
  }

  @Get('partners/:id/clients')
  @Roles('admin')
  @Responds(200, ApiClientListDto, 401, 403, 404)
  list(@Param() { id }: PartnerIdParamsDto): Promise<ApiClientList> {
    return this.clients.list(id);
  }

  /** A new secret, shown once; the old one stops working at once. */
  @Post('clients/:clientId/rotate')
  @Roles('admin')
  @Responds(200, ApiClientWithSecretDto, 401, 403, 404, 409)
  rotate(@Param() { clientId }: ClientIdParamsDto): Promise<ApiClientWithSecret> {
    return this.clients.rotate(clientId);
  }

  @Post('clients/:clientId/revoke')
  @Roles('admin')
  @Responds(200, ApiClientDto, 401, 403, 404)
  revoke(@Param() { clientId }: ClientIdParamsDto): Promise<ApiClient> {
    return this.clients.revoke(clientId);
  }
}

@ApiTags('oauth')
@Controller()
export class OAuthController {
  constructor(
    private readonly oauth: OAuthService,
    private readonly keys: SigningKeyStore,
    @Inject(APP_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /** OAuth 2.0 client credentials (RFC 6749 §4.4), form- or JSON-encoded; Basic or body credentials. */
  @Post('oauth/token')
  @Public({ rateLimit: { perMinute: 120 } })
  @Responds(200, TokenResponseDto, 401)
  async token(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    void reply.header('cache-control', 'no-store');
    return this.oauth.token(body, authorization);
  }

  /**
   * The public keys partner tokens are signed with; every service verifies against these.
   * Served from memory and cacheable for AUTH_JWKS_MAX_AGE_SECONDS; limited per address like
   * any public route (a service fetches it at most once per `kid` cooldown).
   */
  @Get('.well-known/jwks.json')
  @Public({ rateLimit: { perMinute: 120 } })
  @Responds(200, JwksDto, 429)
  async jwks(@Res({ passthrough: true }) reply: FastifyReply): Promise<Jwks> {
    void reply.header('cache-control', `public, max-age=${this.config.AUTH_JWKS_MAX_AGE_SECONDS}`);
    return this.keys.jwks();
  }
}
