import { setTimeout } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { APP_CONFIG, KYSELY, type PartnerKeySource } from '@sp/platform';
import type { Jwks } from '@sp/types';
import {
  calculateJwkThumbprint,
  type CryptoKey,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { type Kysely, sql } from 'kysely';
import type { RegistryConfig } from '../config';

const ALG = 'ES256';
/** Partner tokens live this long; a retired key stays published at least this long after. */
export const TOKEN_TTL_SECONDS = 600;
const DAY_MS = 86_400_000;

/**
 * How long a new key is published before it signs: another replica serves its JWKS from
 * memory for AUTH_JWKS_MAX_AGE_SECONDS, and a service that fetched that older copy refetches
 * on an unknown `kid` only after AUTH_JWKS_COOLDOWN_MS (the registry's value stands for the
 * services'), plus a minute for clocks and slow fetches. Signing at once gave valid tokens
 * 401s for that long after each rotation.
 */
export function publishLeadMs(
  config: Pick<RegistryConfig, 'AUTH_JWKS_MAX_AGE_SECONDS' | 'AUTH_JWKS_COOLDOWN_MS'>,
): number {
  return config.AUTH_JWKS_MAX_AGE_SECONDS * 1000 + config.AUTH_JWKS_COOLDOWN_MS + 60_000;
}

/**
 * The keys that sign partner tokens, kept in the registry's database so every replica signs
 * with the same one. A key is made once the newest is AUTH_KEY_ROTATION_DAYS old, published at
 * once, and signs only after `publishLeadMs` (every replica's JWKS and every service's cached
 * copy has shown it by then); the old key signs meanwhile and stays published until the tokens
 * it signed have expired.
 */
@Injectable()
export class SigningKeyStore implements PartnerKeySource {
  /** The published keys by `kid`; replaced whole by each reload, never emptied first. */
  private publicKeys = new Map<string, CryptoKey>();
  private publishedSet: Jwks = { keys: [] };
  /** When the key table was last read (a reload's start), and whether that read is known stale. */
  private lastRead = -Infinity;
  private stale = true;
  private reloading: Promise<void> | undefined;

  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(APP_CONFIG) private readonly config: RegistryConfig,
  ) {}

  private get rotationMs(): number {
    return this.config.AUTH_KEY_ROTATION_DAYS * DAY_MS;
  }

  /**
   * For verifying: looks the `kid` up, reloading from the database on an unknown one (a key
   * another replica just made). Reloads are shared (one at a time, every waiting caller gets
   * its outcome) and start at most once per AUTH_KEY_RELOAD_FLOOR_MS, so tokens with made-up
   * kids cannot hammer the database; a caller waits for the next reload, never fails early.
   */
  readonly getKey: JWTVerifyGetKey = async (header) => {
    const kid = header.kid;
    if (!kid) throw new errors.JWKSNoMatchingKey();
    if (!this.publicKeys.has(kid)) await this.reload();
    const key = this.publicKeys.get(kid);
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  };

  /**
   * The key to sign with now: the newest one published for at least `publishLeadMs` and still
   * within its signing life, or else (the first key ever, or the old one expired while no token
   * was asked for) the newest. A new key is made when the newest is a rotation period old.
   */
  async current(): Promise<{ kid: string; privateKey: CryptoKey }> {
    const now = Date.now();
    const lead = publishLeadMs(this.config);
    const rows = await this.db
      .selectFrom('registry.signingKey')
      .select(['kid', 'privateJwk', 'createdAt'])
      .where('createdAt', '>', new Date(now - this.rotationMs - lead))
      .orderBy('createdAt', 'desc')
      .execute();
    if (!rows[0] || rows[0].createdAt.getTime() <= now - this.rotationMs) {
      const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
      const publicJwk: JWK = { ...(await exportJWK(publicKey)), alg: ALG, use: 'sig' };
      const kid = await calculateJwkThumbprint(publicJwk);
      const made = await this.db
        .insertInto('registry.signingKey')
        .values({
          kid,
          alg: ALG,
          publicJwk: JSON.stringify({ ...publicJwk, kid }),
          privateJwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: ALG }),
        })
        .returning(['kid', 'privateJwk', 'createdAt'])
        .executeTakeFirstOrThrow();
      rows.unshift(made);
      // Rotated: the published set (and so the JWKS answer) must show the new key at once.
      this.stale = true;
    }
    const row = rows.find((r) => r.createdAt.getTime() <= now - lead) ?? rows[0]!;
    return { kid: row.kid, privateKey: (await importJWK(row.privateJwk as JWK, ALG)) as CryptoKey };
  }

  /**
   * The published key set: every key made within the rotation period, its lead and twice a
   * token's life, so each stays published until the last token it signed has expired. Served from memory for AUTH_JWKS_MAX_AGE_SECONDS (the same time clients may cache
   * it), and reloaded at once after this replica rotates its key.
   */
  async jwks(): Promise<Jwks> {
    if (this.stale || Date.now() - this.lastRead >= this.config.AUTH_JWKS_MAX_AGE_SECONDS * 1000)
      await this.reload();
    return this.publishedSet;
  }

  private published() {
    return this.db
      .selectFrom('registry.signingKey')
      .select(['kid', 'publicJwk'])
      .where(
        'createdAt',
        '>',
        sql<Date>`now() - make_interval(secs => ${(this.rotationMs + publishLeadMs(this.config) + TOKEN_TTL_SECONDS * 2_000) / 1000})`,
      )
      .orderBy('createdAt', 'desc')
      .execute();
  }

  /** Joins the reload under way, or starts one (waiting out the floor since the last). */
  private reload(): Promise<void> {
    this.reloading ??= this.load().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async load(): Promise<void> {
    const wait = this.lastRead + this.config.AUTH_KEY_RELOAD_FLOOR_MS - Date.now();
    if (wait > 0) await setTimeout(wait);
    this.lastRead = Date.now();
    const rows = await this.published();
    // Built aside and swapped in whole: a valid token verified meanwhile still finds its key.
    const next = new Map<string, CryptoKey>();
    for (const row of rows)
      next.set(row.kid, (await importJWK(row.publicJwk as JWK, ALG)) as CryptoKey);
    this.publicKeys = next;
    this.publishedSet = { keys: rows.map((r) => r.publicJwk) };
    this.stale = false;
  }
}
