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

/**
 * Whether a partner token's API client may still use it: not revoked, and its partner's
 * partnership not ended. A JWT cannot be recalled, so the registry asks this on every request
 * a partner token makes; the answer is kept for AUTH_PARTNER_ACCESS_CACHE_MS per client (one
 * indexed read per client per interval), which bounds how long an issued token outlives a
 * revocation or an ended partnership on the registry. The replica that made the change
 * forgets its answers at once.
 */
@Injectable()
export class ClientAccessCheck implements PartnerAccessCheck {
  private readonly answers: AccessAnswers;

  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(APP_CONFIG) config: RegistryConfig,
  ) {
    this.answers = new AccessAnswers(config.AUTH_PARTNER_ACCESS_CACHE_MS);
  }

  async assertActive(principal: Extract<Principal, { kind: 'partner' }>): Promise<void> {
    const { clientId, partnerId } = principal;
    const allowed = await this.answers.get(`${clientId} ${partnerId}`, () =>
      this.lookup(clientId, partnerId),
    );
    if (!allowed)
      throw invalidToken("the token's API client has been revoked or its partnership has ended");
  }

  /** Drops what is known of these clients (after this replica revoked them). */
  forget(clientIds: readonly string[]): void {
    const ids = new Set(clientIds);
    this.answers.forget((key) => ids.has(key.slice(0, key.indexOf(' '))));
  }

  private async lookup(clientId: string, partnerId: string): Promise<boolean> {
    if (!UUID.test(clientId) || !UUID.test(partnerId)) return false;
    const row = await this.db
      .selectFrom('registry.apiClient as c')
      .innerJoin('registry.partner as p', 'p.id', 'c.partnerId')
      .select(['c.revokedAt', 'p.status'])
      .where('c.id', '=', clientId)
      .where('c.partnerId', '=', partnerId)
      .executeTakeFirst();
    return row !== undefined && row.revokedAt === null && row.status !== 'ended';
  }
}
