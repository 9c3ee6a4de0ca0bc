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
 * The keys that sign partner tokens, kept in the registry's database so every replica signs
 * with the same one. A key signs for AUTH_KEY_ROTATION_DAYS; then a new one takes over and the
 * old one stays published until the tokens it signed have expired.
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

  /** The key to sign with now, made when there is none young enough. */
  async current(): Promise<{ kid: string; privateKey: CryptoKey }> {
    let row = await this.db
      .selectFrom('registry.signingKey')
      .selectAll()
      .where('createdAt', '>', new Date(Date.now() - this.rotationMs))
      .orderBy('createdAt', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) {
      const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
      const publicJwk: JWK = { ...(await exportJWK(publicKey)), alg: ALG, use: 'sig' };
      const kid = await calculateJwkThumbprint(publicJwk);
      row = await this.db
        .insertInto('registry.signingKey')
        .values({
          kid,
          alg: ALG,
          publicJwk: JSON.stringify({ ...publicJwk, kid }),
          privateJwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: ALG }),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      // Rotated: the published set (and so the JWKS answer) must show the new key at once.
      this.stale = true;
    }
    return { kid: row.kid, privateKey: (await importJWK(row.privateJwk as JWK, ALG)) as CryptoKey };
  }

  /**
   * The published key set: every key that signed within the rotation period plus a token's
   * life. Served from memory for AUTH_JWKS_MAX_AGE_SECONDS (the same time clients may cache
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
        sql<Date>`now() - make_interval(secs => ${(this.rotationMs + TOKEN_TTL_SECONDS * 2_000) / 1000})`,
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
