import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type PartnerScope,
  partnerScopeSchema,
  type StaffRole,
  staffRoleSchema,
  uuid,
} from '@sp/types';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import { z } from 'zod';
import { AppError } from '../app-error';
import type { BaseConfig } from '../config/config';
import { APP_CONFIG } from '../tokens';
import { DEV_STAFF_ISSUER, loadDevKey } from './dev-issuer';
import { type Principal, roleRank } from './principal';

/** Asymmetric algorithms only: `none` and shared-secret HMAC tokens are refused. */
export const ALLOWED_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];
/** The registry signs partner tokens with ES256 and nothing else; any other `alg` is a forgery. */
export const PARTNER_ALGORITHMS = ['ES256'];

/** Where partner-token keys come from; the registry, which signs them, supplies its own. */
export const PARTNER_KEYS = Symbol('PARTNER_KEYS');
export type PartnerKeySource = { getKey: JWTVerifyGetKey };

/**
 * Checked on every request a partner token makes, cached verification or not: throws when the
 * token's client or partner has lost its access since the token was issued (see PARTNER_ACCESS).
 */
export type PartnerAccessCheck = {
  assertActive(principal: Extract<Principal, { kind: 'partner' }>): Promise<void>;
};
export const PARTNER_ACCESS = Symbol('PARTNER_ACCESS');

/** How long a caller should wait before retrying when a key set cannot be fetched. */
const JWKS_RETRY_AFTER_SECONDS = 5;

/** Errors from a key lookup that say the token is bad; anything else means the key set is unavailable. */
const tokenFaults = [
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
];

/**
 * A remote JWKS (jose's `createRemoteJWKSet`: cached, refetched on an unknown `kid` after the
 * cooldown). When the key set cannot be had (the server is down or slow, answers non-200 or
 * not a JWKS), that is our outage, not a bad token: 503 with `Retry-After`, never a 401 or a 500.
 */
export function remoteKeySet(url: string, cooldownMs: number, what: string): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(url), { cooldownDuration: cooldownMs });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (tokenFaults.some((fault) => error instanceof fault)) throw error;
      throw new AppError(
        'service-unavailable',
        `the ${what} keys cannot be fetched right now; try again shortly`,
        { headers: { 'retry-after': String(JWKS_RETRY_AFTER_SECONDS) } },
      );
    }
  };
}

/** The default partner-key source: the registry's published JWKS, cached, refetched on an unknown `kid`. */
@Injectable()
export class RemoteJwksSource implements PartnerKeySource {
  readonly getKey: JWTVerifyGetKey;
  constructor(@Inject(APP_CONFIG) config: BaseConfig) {
    this.getKey = remoteKeySet(
      config.AUTH_PARTNER_JWKS_URL,
      config.AUTH_JWKS_COOLDOWN_MS,
      'partner-token',
    );
  }
}

const partnerClaims = z.object({
  partner_id: uuid(),
  client_id: z.string().min(1),
  scope: z.string().default(''),
  secret_rotated_at: z.number().int().min(0).optional(),
});

export const invalidToken = (detail: string): AppError =>
  new AppError('unauthorized', detail, {
    headers: {
      'www-authenticate': `Bearer realm="strategic-partnerships", error="invalid_token", error_description="${detail.replace(/"/g, "'")}"`,
    },
  });

/** Verified tokens kept (until they expire) so a client's repeated calls skip the signature check. */
const CACHE_SIZE = 10_000;
const CLOCK_TOLERANCE_SECONDS = 5;

@Injectable()
export class TokenVerifier {
  private staffKeys: Promise<JWTVerifyGetKey> | undefined;
  private readonly verified = new Map<string, { principal: Principal; expiresAt: number }>();
  private readonly staffIssuer: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(PARTNER_KEYS) private readonly partnerKeys: PartnerKeySource,
    @Optional() @Inject(PARTNER_ACCESS) private readonly partnerAccess?: PartnerAccessCheck,
  ) {
    this.staffIssuer = config.AUTH_STAFF_ISSUER ?? DEV_STAFF_ISSUER;
  }

  /**
   * Verifies signature, issuer, audience, expiry, age and algorithm, then reads the principal.
   * A token verified before is answered from memory until it expires (its `exp`, or its `iat`
   * plus the issuer's maximum age, whichever comes first). A partner token is also checked
   * against PARTNER_ACCESS on every call, cached or not, so a revoked client or an ended
   * partner loses access before its tokens run out.
   */
  async verify(token: string): Promise<Principal> {
    const principal = await this.verifyCached(token);
    if (principal.kind === 'partner' && this.partnerAccess)
      await this.partnerAccess.assertActive(principal);
    return principal;
  }

  private async verifyCached(token: string): Promise<Principal> {
    const cached = this.verified.get(token);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    if (cached) this.verified.delete(token);
    const { principal, expiresAt } = await this.verifyFully(token);
    if (this.verified.size >= CACHE_SIZE) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(token, { principal, expiresAt });
    return principal;
  }

  private async verifyFully(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw invalidToken('the token is not a JWT');
    }
    // Every token must say when it ends and when it was issued, and is refused once older than
    // its issuer's maximum age even if its `exp` is later.
    const options = (algorithms: readonly string[], maxTokenAge: number): JWTVerifyOptions => ({
      issuer,
      audience: this.config.AUTH_AUDIENCE,
      algorithms: [...algorithms],
      requiredClaims: ['exp', 'iat'],
      maxTokenAge,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    const until = (payload: JWTPayload, maxTokenAge: number): number =>
      Math.min(payload.exp ?? 0, (payload.iat ?? 0) + maxTokenAge) * 1000;
    try {
      if (issuer === this.staffIssuer) {
        const maxAge = this.config.AUTH_MAX_TOKEN_AGE_SECONDS;
        const { payload } = await jwtVerify(
          token,
          await this.staffKeySet(),
          options(this.config.AUTH_STAFF_ALGORITHMS, maxAge),
        );
        return { principal: this.staff(payload), expiresAt: until(payload, maxAge) };
      }
      if (issuer === this.config.AUTH_PARTNER_ISSUER) {
        const maxAge = this.config.AUTH_PARTNER_MAX_TOKEN_AGE_SECONDS;
        const { payload } = await jwtVerify(
          token,
          this.partnerKeys.getKey,
          options(PARTNER_ALGORITHMS, maxAge),
        );
        return { principal: this.partner(payload), expiresAt: until(payload, maxAge) };
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
      ...(claims.data.secret_rotated_at === undefined
        ? {}
        : { secretRotatedAt: claims.data.secret_rotated_at }),
    };
  }

  private staffKeySet(): Promise<JWTVerifyGetKey> {
    this.staffKeys ??= this.config.AUTH_STAFF_JWKS_URL
      ? Promise.resolve(
          remoteKeySet(
            this.config.AUTH_STAFF_JWKS_URL,
            this.config.AUTH_JWKS_COOLDOWN_MS,
            'staff-token',
          ),
        )
      : loadDevKey(this.config.AUTH_DEV_KEY_FILE).then((key) =>
          createLocalJWKSet({ keys: [key.publicJwk] }),
        );
    return this.staffKeys;
  }
}
