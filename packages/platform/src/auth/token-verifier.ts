import { Inject, Injectable } from '@nestjs/common';
import { type PartnerScope, partnerScopeSchema, type StaffRole, staffRoleSchema } from '@sp/types';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { z } from 'zod';
import { AppError } from '../app-error';
import type { BaseConfig } from '../config';
import { APP_CONFIG } from '../tokens';
import { DEV_STAFF_ISSUER, loadDevKey } from './dev-issuer';
import { type Principal, roleRank } from './principal';

/** Asymmetric algorithms only: `none` and shared-secret HMAC tokens are refused. */
export const ALLOWED_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

/** Where partner-token keys come from; the registry, which signs them, supplies its own. */
export const PARTNER_KEYS = Symbol('PARTNER_KEYS');
export type PartnerKeySource = { getKey: JWTVerifyGetKey };

/** The default partner-key source: the registry's published JWKS, cached, refetched on an unknown `kid`. */
@Injectable()
export class RemoteJwksSource implements PartnerKeySource {
  readonly getKey: JWTVerifyGetKey;
  constructor(@Inject(APP_CONFIG) config: BaseConfig) {
    this.getKey = createRemoteJWKSet(new URL(config.AUTH_PARTNER_JWKS_URL), {
      cooldownDuration: config.AUTH_JWKS_COOLDOWN_MS,
    });
  }
}

const partnerClaims = z.object({
  partner_id: z.uuid(),
  client_id: z.string().min(1),
  scope: z.string().default(''),
});

export const invalidToken = (detail: string): AppError =>
  new AppError('unauthorized', detail, {
    headers: {
      'www-authenticate': `Bearer realm="strategic-partnerships", error="invalid_token", error_description="${detail.replace(/"/g, "'")}"`,
    },
  });

/** Verified tokens kept (until they expire) so a client's repeated calls skip the signature check. */
const CACHE_SIZE = 10_000;

@Injectable()
export class TokenVerifier {
  private staffKeys: Promise<JWTVerifyGetKey> | undefined;
  private readonly verified = new Map<string, { principal: Principal; expiresAt: number }>();
  private readonly staffIssuer: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(PARTNER_KEYS) private readonly partnerKeys: PartnerKeySource,
  ) {
    this.staffIssuer = config.AUTH_STAFF_ISSUER ?? DEV_STAFF_ISSUER;
  }

  /**
   * Verifies signature, issuer, audience, expiry and algorithm, then reads the principal. A
   * token verified before is answered from memory until its `exp` (tokens are short-lived, and
   * a JWT cannot be revoked before then anyway).
   */
  async verify(token: string): Promise<Principal> {
    const cached = this.verified.get(token);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    if (cached) this.verified.delete(token);
    const { principal, exp } = await this.verifyFully(token);
    if (this.verified.size >= CACHE_SIZE) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    if (exp) this.verified.set(token, { principal, expiresAt: exp * 1000 });
    return principal;
  }

  private async verifyFully(token: string): Promise<{ principal: Principal; exp?: number }> {
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw invalidToken('the token is not a JWT');
    }
    const options = {
      audience: this.config.AUTH_AUDIENCE,
      algorithms: ALLOWED_ALGORITHMS,
      clockTolerance: 5,
    };
    try {
      if (issuer === this.staffIssuer) {
        const { payload } = await jwtVerify(token, await this.staffKeySet(), {
          ...options,
          issuer,
        });
        return { principal: this.staff(payload), exp: payload.exp };
      }
      if (issuer === this.config.AUTH_PARTNER_ISSUER) {
        const { payload } = await jwtVerify(token, this.partnerKeys.getKey, { ...options, issuer });
        return { principal: this.partner(payload), exp: payload.exp };
      }
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof errors.JWTExpired) throw invalidToken('the token has expired');
      if (error instanceof errors.JOSEError)
        throw invalidToken(`the token is not valid (${error.code})`);
      throw error;
    }
    throw invalidToken('the token comes from an issuer this service does not trust');
  }

  private staff(payload: JWTPayload): Principal {
    const claimed = Array.isArray(payload['roles'])
      ? (payload['roles'] as unknown[])
      : [payload['role']];
    const roles = claimed.flatMap((r) => {
      const parsed = staffRoleSchema.safeParse(r);
      return parsed.success ? [parsed.data] : [];
    });
    if (!payload.sub || roles.length === 0)
      throw invalidToken('the staff token names no subject or no known role');
    const role = roles.reduce<StaffRole>(
      (best, r) => (roleRank(r) > roleRank(best) ? r : best),
      roles[0]!,
    );
    return { kind: 'staff', sub: payload.sub, role };
  }

  private partner(payload: JWTPayload): Principal {
    const claims = partnerClaims.safeParse(payload);
    if (!claims.success) throw invalidToken('the partner token lacks partner_id or client_id');
    const scopes = claims.data.scope
      .split(' ')
      .flatMap((s): PartnerScope[] =>
        partnerScopeSchema.safeParse(s).success ? [s as PartnerScope] : [],
      );
    return {
      kind: 'partner',
      clientId: claims.data.client_id,
      partnerId: claims.data.partner_id,
      scopes,
    };
  }

  private staffKeySet(): Promise<JWTVerifyGetKey> {
    this.staffKeys ??= this.config.AUTH_STAFF_JWKS_URL
      ? Promise.resolve(
          createRemoteJWKSet(new URL(this.config.AUTH_STAFF_JWKS_URL), {
            cooldownDuration: this.config.AUTH_JWKS_COOLDOWN_MS,
          }),
        )
      : loadDevKey(this.config.AUTH_DEV_KEY_FILE).then((key) =>
          createLocalJWKSet({ keys: [key.publicJwk] }),
        );
    return this.staffKeys;
  }
}
