import { Body, Controller, Get, Headers, Inject, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, Public, Responds } from '@sp/platform';
import type { Jwks, TokenResponse } from '@sp/types';
import type { FastifyReply } from 'fastify';
import type { RegistryConfig } from '../config';
import { JwksDto, TokenResponseDto } from './oauth.dto';
import { OAuthService } from './oauth.service';
import { SigningKeyStore } from './signing-key.store';

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
