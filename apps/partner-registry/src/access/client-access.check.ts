import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import {
  AccessAnswers,
  APP_CONFIG,
  invalidToken,
  KYSELY,
  type PartnerAccessCheck,
  type Principal,
} from '@sp/platform';
import type { Kysely } from 'kysely';
import type { RegistryConfig } from '../config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the registry knows of a client's access: none, or since which secret (epoch ms). */
type ClientAccess = { active: false } | { active: true; secretRotatedAt: number };

/**
 * Whether a partner token's API client may still use it: not revoked, its partner's
 * partnership not ended, and its secret not rotated since the token was issued. A JWT cannot be
 * recalled, so the registry asks this on every request a partner token makes; the answer is
 * kept for AUTH_PARTNER_ACCESS_CACHE_MS per client (one indexed read per client per interval),
 * which bounds how long an issued token outlives a revocation, a rotation or an ended
 * partnership on the registry. The replica that made the change forgets its answers at once.
 */
@Injectable()
export class ClientAccessCheck implements PartnerAccessCheck {
  private readonly answers: AccessAnswers<ClientAccess>;

  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(APP_CONFIG) config: RegistryConfig,
  ) {
    this.answers = new AccessAnswers(config.AUTH_PARTNER_ACCESS_CACHE_MS);
  }

  async assertActive(principal: Extract<Principal, { kind: 'partner' }>): Promise<void> {
    const { clientId, partnerId, secretRotatedAt } = principal;
    const access = await this.answers.get(`${clientId} ${partnerId}`, () =>
      this.lookup(clientId, partnerId),
    );
    if (!access.active)
      throw invalidToken("the token's API client has been revoked or its partnership has ended");
    // A token without the claim was signed before it existed (at most one token lifetime
    // after an upgrade); it is let through rather than refused for every rotated client.
    if (secretRotatedAt !== undefined && secretRotatedAt < access.secretRotatedAt)
      throw invalidToken("the token's API client has a new secret; ask for a new token");
  }

  /** Drops what is known of these clients (after this replica revoked or rotated them). */
  forget(clientIds: readonly string[]): void {
    const ids = new Set(clientIds);
    this.answers.forget((key) => ids.has(key.slice(0, key.indexOf(' '))));
  }

  private async lookup(clientId: string, partnerId: string): Promise<ClientAccess> {
    if (!UUID.test(clientId) || !UUID.test(partnerId)) return { active: false };
    const row = await this.db
      .selectFrom('registry.apiClient as c')
      .innerJoin('registry.partner as p', 'p.id', 'c.partnerId')
      .select(['c.revokedAt', 'c.rotatedAt', 'p.status'])
      .where('c.id', '=', clientId)
      .where('c.partnerId', '=', partnerId)
      .executeTakeFirst();
    return row !== undefined && row.revokedAt === null && row.status !== 'ended'
      ? { active: true, secretRotatedAt: row.rotatedAt?.getTime() ?? 0 }
      : { active: false };
  }
}
