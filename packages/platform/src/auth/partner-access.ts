import { Inject, Injectable, type Type } from '@nestjs/common';
import { type ConsumerSchema, type DB, partnerSnapshotStatus } from '@sp/db';
import type { Kysely } from 'kysely';
import type { BaseConfig } from '../config/config';
import { APP_CONFIG, KYSELY } from '../tokens';
import type { Principal } from './principal';
import { invalidToken, type PartnerAccessCheck } from './token-verifier';

/** Keys remembered at most (partners and clients number in the tens; this only bounds memory). */
const CACHE_SIZE = 10_000;

/**
 * Answers (yes/no, or what a check needs to decide) kept for a while per key: one lookup per
 * key per interval however many requests ask (they share the lookup under way); a failed
 * lookup is not kept.
 */
export class AccessAnswers<T = boolean> {
  private readonly answers = new Map<string, { allowed: Promise<T>; until: number }>();

  constructor(private readonly ttlMs: number) {}

  get(key: string, lookup: () => Promise<T>): Promise<T> {
    const known = this.answers.get(key);
    if (known && known.until > Date.now()) return known.allowed;
    if (this.answers.size >= CACHE_SIZE) {
      const oldest = this.answers.keys().next().value;
      if (oldest !== undefined) this.answers.delete(oldest);
    }
    const entry = { allowed: lookup(), until: Date.now() + this.ttlMs };
    this.answers.set(key, entry);
    entry.allowed.catch(() => {
      if (this.answers.get(key) === entry) this.answers.delete(key);
    });
    return entry.allowed;
  }

  /** Forgets the answers whose key satisfies `match`. */
  forget(match: (key: string) => boolean): void {
    for (const key of this.answers.keys()) if (match(key)) this.answers.delete(key);
  }
}

/**
 * For a service that keeps a snapshot of the registry's partners (`<schema>.partner`, fed by
 * `partner.*` events): refuses partner tokens whose partner the snapshot shows as `ended`.
 * A partner missing from the snapshot (not synced yet) is let through; the token's own
 * 10-minute life is the outer bound.
 */
export function partnerSnapshotAccess(schema: ConsumerSchema): Type<PartnerAccessCheck> {
  @Injectable()
  class PartnerSnapshotAccess implements PartnerAccessCheck {
    private readonly answers: AccessAnswers;

    constructor(
      @Inject(KYSELY) private readonly db: Kysely<DB>,
      @Inject(APP_CONFIG) config: BaseConfig,
    ) {
      this.answers = new AccessAnswers(config.AUTH_PARTNER_ACCESS_CACHE_MS);
    }

    async assertActive(principal: Extract<Principal, { kind: 'partner' }>): Promise<void> {
      const allowed = await this.answers.get(principal.partnerId, async () => {
        const status = await partnerSnapshotStatus(this.db, schema, principal.partnerId);
        return status !== 'ended';
      });
      if (!allowed) throw invalidToken("the token's partnership has ended");
    }
  }
  return PartnerSnapshotAccess;
}
