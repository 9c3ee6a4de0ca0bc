import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppError } from '@sp/platform';
import {
  type PartnerScope,
  partnerScopeSchema,
  type TokenRequest,
  tokenRequestSchema,
  type TokenResponse,
} from '@sp/types';
import { SignJWT } from 'jose';
import type { RegistryConfig } from '../config';
import { ApiClientsRepository } from './api-clients.repository';
import { verifySecret } from './secrets';
import { SigningKeyStore, TOKEN_TTL_SECONDS } from './signing-key.store';

/** RFC 6749 §5.2 errors, carried as problem+json with the OAuth `error` member added. */
const oauthError = (
  status: 'bad-request' | 'unauthorized',
  error: string,
  description: string,
  basic = false,
) =>
  new AppError(status, description, {
    extra: { error, error_description: description },
    headers: basic
      ? { 'www-authenticate': 'Basic realm="strategic-partnerships", charset="UTF-8"' }
      : undefined,
  });

const invalidClient = () =>
  oauthError(
    'unauthorized',
    'invalid_client',
    'unknown client, wrong secret, or revoked client',
    true,
  );

/** `Authorization: Basic base64(urlencoded id : urlencoded secret)` (RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = header && /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  } catch {
    return undefined;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class OAuthService {
  constructor(
    private readonly clients: ApiClientsRepository,
    private readonly keys: SigningKeyStore,
    @Inject(APP_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /** The client credentials grant (RFC 6749 §4.4): a short-lived JWT bound to the client's partner. */
  async token(body: unknown, authorization: string | undefined): Promise<TokenResponse> {
    const parsed = tokenRequestSchema.safeParse(body ?? {});
    if (!parsed.success)
      throw oauthError('bad-request', 'invalid_request', 'the token request is malformed');
    const request: TokenRequest = parsed.data;
    if (request.grant_type !== 'client_credentials') {
      throw oauthError(
        'bad-request',
        'unsupported_grant_type',
        'only grant_type=client_credentials is supported',
      );
    }
    const basic = basicCredentials(authorization);
    if (basic && (request.client_id || request.client_secret)) {
      throw oauthError(
        'bad-request',
        'invalid_request',
        'send client credentials in the header or the body, not both',
      );
    }
    const id = basic?.id ?? request.client_id;
    const secret = basic?.secret ?? request.client_secret;
    if (!id || !secret) throw invalidClient();

    const client = UUID.test(id) ? await this.clients.findWithPartnerStatus(id) : undefined;
    // Verify even for an unknown client, so timing does not tell which ids exist.
    const ok = await verifySecret(
      secret,
      client?.secretHash ??
        'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    // A client of an ended partnership is revoked with it; checked here too, whatever its row says.
    if (!client || !ok || client.revokedAt || client.partnerStatus === 'ended')
      throw invalidClient();

    const granted = client.scopes;
    let scopes = granted;
    if (request.scope !== undefined) {
      const asked = request.scope.split(' ').filter(Boolean);
      const unknown = asked.filter(
        (s) => !partnerScopeSchema.safeParse(s).success || !granted.includes(s as PartnerScope),
      );
      if (unknown.length)
        throw oauthError(
          'bad-request',
          'invalid_scope',
          `scope not granted to this client: ${unknown.join(' ')}`,
        );
      scopes = asked as PartnerScope[];
    }

    const { kid, privateKey } = await this.keys.current();
    const scope = scopes.join(' ');
    const accessToken = await new SignJWT({
      partner_id: client.partnerId,
      client_id: client.id,
      scope,
      // Which secret this token was issued for: a rotation ends the tokens of the one before
      // (ClientAccessCheck), also one issued while the rotation was being committed.
      secret_rotated_at: client.rotatedAt?.getTime() ?? 0,
    })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
      .setIssuer(this.config.AUTH_PARTNER_ISSUER)
      .setAudience(this.config.AUTH_AUDIENCE)
      .setSubject(client.id)
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
      .setJti(randomUUID())
      .sign(privateKey);
    await this.clients.touch(client.id);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: TOKEN_TTL_SECONDS,
      scope,
    };
  }
}
