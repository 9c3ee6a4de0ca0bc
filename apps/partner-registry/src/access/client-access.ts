import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import {
  APP_CONFIG,
  invalidToken,
  KYSELY,
  type PartnerAccessCheck,
  type Principal,
} from '@sp/platform';
import type { Kysely } from 'kysely';
import type { RegistryConfig } from '../config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Clients remembered at most (a registry has tens of them; this only bounds memory). */
const CACHE_SIZE = 10_000;

/**
 * Whether a partner token's API client may still use it: not revoked, and its partner's
 * partnership not ended. A JWT cannot be recalled, so the registry asks this on every request
 * a partner token makes; the answer is kept for AUTH_CLIENT_ACCESS_CACHE_MS per client (one
 * indexed read per client per interval), which bounds how long an issued token outlives a
 * revocation or an ended partnership on the registry. The replica that made the change
 * forgets its answers at once.
 */
@Injectable()
export class ClientAccessCheck implements PartnerAccessCheck {
  private readonly answers = new Map<string, { active: Promise<boolean>; until: number }>();

  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(APP_CONFIG) private readonly config: RegistryConfig,
  ) {}

  async assertActive(principal: Extract<Principal, { kind: 'partner' }>): Promise<void> {
    const key = `${principal.clientId} ${principal.partnerId}`;
    let entry = this.answers.get(key);
    if (!entry || entry.until <= Date.now()) {
      if (this.answers.size >= CACHE_SIZE) {
        const oldest = this.answers.keys().next().value;
        if (oldest !== undefined) this.answers.delete(oldest);
      }
      const created = {
        active: this.lookup(principal.clientId, principal.partnerId),
        until: Date.now() + this.config.AUTH_CLIENT_ACCESS_CACHE_MS,
      };
      entry = created;
      this.answers.set(key, created);
      // A failed lookup (the database away) is not an answer: the next request asks again.
      created.active.catch(() => {
        if (this.answers.get(key) === created) this.answers.delete(key);
      });
    }
    if (!(await entry.active))
      throw invalidToken("the token's API client has been revoked or its partnership has ended");
  }

  /** Drops what is known of these clients (after this replica revoked them). */
  forget(clientIds: readonly string[]): void {
    const ids = new Set(clientIds);
    for (const key of this.answers.keys())
      if (ids.has(key.slice(0, key.indexOf(' ')))) this.answers.delete(key);
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
