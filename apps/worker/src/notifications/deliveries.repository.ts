import { Inject, Injectable } from '@nestjs/common';
import type { DB, DeliveryTable } from '@sp/db';
import { KYSELY } from '@sp/platform';
import { pruneInBatches } from '@sp/queue';
import type { DeliveryQuery, EmailSend } from '@sp/types';
import { type Kysely, type Selectable, sql } from 'kysely';
import { Batcher } from './batcher';

export type DeliveryRow = Selectable<DeliveryTable>;

/**
 * The attempt that holds a delivery: the queue job and BullMQ's lock token of this run of it.
 * A run of the same job after its lock was lost (a stall) has another token: it is not the
 * holder, so it cannot send the mail the first run may still be sending.
 */
export type Owner = { jobId: string; token: string };

/** What a job may do with the delivery of its idempotency key. */
export type Claim =
  /** Send it: this attempt holds it (`sending`) until it records the outcome or the claim expires. */
  | { kind: 'claimed'; delivery: DeliveryRow }
  /** Final: nothing to send. */
  | { kind: 'sent' | 'failed'; delivery: DeliveryRow }
  /** Another attempt (of this job or another with the same key) is sending it: look again later. */
  | { kind: 'busy'; delivery: DeliveryRow };

/**
 * Under load, how long a claim or a "sent" record waits for others to share its statement:
 * small next to an SMTP exchange, and it cut the worker's statements per mail from about one
 * to a few per hundred (bench/queue-email).
 */
const LINGER_MS = 5;

/** Where a page of deliveries ended: the last row's exact `created_at` and id. */
export type DeliveryCursor = { at: string; id: string };

type ClaimRequest = { job: EmailSend; owner: Owner; leaseMs: number };
type SentRequest = { id: string; owner: Owner; providerMessageId: string | null };

const claimTokenOf = (owner: Owner) => `${owner.jobId}:${owner.token}`;

/**
 * The delivery ledger: one row per idempotency key. Claims and "sent" records of concurrent jobs
 * go to Postgres together (see `Batcher`), and no row lock or connection is held while a mail
 * is on its way: under load a worker pays a few statements per batch, not a transaction per mail.
 */
@Injectable()
export class DeliveriesRepository {
  private readonly claims = new Batcher<ClaimRequest, Claim>((batch) => this.claimAll(batch), {
    keyOf: (request) => request.job.idempotencyKey,
    lingerMs: LINGER_MS,
  });
  private readonly sends = new Batcher<SentRequest, boolean>((batch) => this.recordAllSent(batch), {
    lingerMs: LINGER_MS,
  });

  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  /**
   * Claims the delivery of `job`'s idempotency key for the attempt `owner` (made on first
   * sight), for `leaseMs`, counting the attempt. A `pending` delivery is claimed; a `sending`
   * one only once its claim has expired (its attempt died, or stopped renewing); a `failed` one
   * only by the very job that failed it, retried by an admin. Otherwise the answer says why not.
   */
  claim(job: EmailSend, owner: Owner, leaseMs: number): Promise<Claim> {
    return this.claims.submit({ job, owner, leaseMs });
  }

  /**
   * Extends the claim `owner` holds while its mail is on its way; false when it no longer
   * holds it (the claim expired and another attempt took it).
   */
  async renew(id: string, owner: Owner, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('notifications.delivery')
      .set({ claimedUntil: sql<Date>`now() + make_interval(secs => ${leaseMs} / 1000.0)` })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('claimToken', '=', claimTokenOf(owner))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Records a mail the SMTP server accepted, if `owner` still holds the delivery; false when
   * it does not (its claim expired and another attempt took it over).
   */
  recordSent(id: string, owner: Owner, providerMessageId: string | null): Promise<boolean> {
    return this.sends.submit({ id, owner, providerMessageId });
  }

  /**
   * Records a failed try of the attempt that holds the delivery: back to `pending` for a
   * retry, or `failed` for good. A stale attempt (no longer the holder) changes nothing.
   */
  async recordError(id: string, owner: Owner, message: string, final: boolean): Promise<boolean> {
    const result = await this.db
      .updateTable('notifications.delivery')
      .set({
        status: final ? 'failed' : 'pending',
        lastError: message.slice(0, 2000),
        claimedUntil: null,
        claimToken: null,
      })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('claimToken', '=', claimTokenOf(owner))
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Marks failed the delivery of a job the queue gave up on without a run recording why (it
   * stalled more than JOB_MAX_STALLS times, the processor never ran): left `sending` or
   * `pending`, it was never listed as failed nor pruned. A delivery some run still holds (its
   * claim not yet lapsed) is left to that run.
   */
  async giveUp(idempotencyKey: string, reason: string): Promise<boolean> {
    const result = await this.db
      .updateTable('notifications.delivery')
      .set({
        status: 'failed',
        lastError: reason.slice(0, 2000),
        claimedUntil: null,
        claimToken: null,
      })
      .where('idempotencyKey', '=', idempotencyKey)
      .where('status', 'in', ['sending', 'pending'])
      .where((eb) =>
        eb.or([eb('claimedUntil', 'is', null), eb('claimedUntil', '<', sql<Date>`now()`)]),
      )
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Deletes sent and failed deliveries created before `cutoff`, `batchSize` rows per
   * statement (never one unbounded DELETE). `sending`/`pending` ones stay whatever their age.
   */
  prune(cutoff: Date, batchSize: number): Promise<number> {
    return pruneInBatches(this.db, {
      table: 'notifications.delivery',
      where: sql<boolean>`status in ('sent', 'failed') and created_at < ${cutoff}`,
      batchSize,
    });
  }

  /**
   * A page of deliveries, newest first, after `cursor` (the page before's last). Returns one
   * row more than asked when there are more: the caller makes the next cursor from `limit`'s.
   */
  list(
    query: DeliveryQuery,
    after?: DeliveryCursor,
  ): Promise<(DeliveryRow & { cursorAt: string })[]> {
    let q = this.db
      .selectFrom('notifications.delivery')
      .selectAll()
      // The exact timestamp (microseconds; a JS Date keeps milliseconds) for the keyset.
      .select(sql<string>`created_at::text`.as('cursorAt'))
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.status) q = q.where('status', '=', query.status);
    if (query.idempotencyKey) q = q.where('idempotencyKey', '=', query.idempotencyKey);
    // Whatever its case: mail goes to each address as it was written (migration notifications/0007).
    if (query.to)
      q = q.where(
        sql<boolean>`notifications.lower_all(recipients) @> array[lower(${query.to})]::text[]`,
      );
    if (after)
      q = q.where(sql<boolean>`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
    return q.execute();
  }

  private async claimAll(batch: ClaimRequest[]): Promise<Claim[]> {
    // One statement for the batch: insert the new keys already claimed, claim the existing ones
    // that may be claimed, and return exactly the rows this batch now holds.
    const claimed = await sql<DeliveryRow>`
      insert into notifications.delivery as d
        (idempotency_key, template, locale, recipients, status, attempts, job_id, claim_token,
         claimed_until)
      select i.key, i.template, i.locale, array(select jsonb_array_elements_text(i.recipients)),
             'sending', 1, i.job_id, i.claim_token,
             now() + make_interval(secs => i.lease_ms / 1000.0)
      from unnest(
        ${batch.map((r) => r.job.idempotencyKey)}::text[],
        ${batch.map((r) => r.job.template)}::text[],
        ${batch.map((r) => r.job.locale)}::text[],
        ${batch.map((r) => JSON.stringify(r.job.to))}::jsonb[],
        ${batch.map((r) => r.owner.jobId)}::text[],
        ${batch.map((r) => claimTokenOf(r.owner))}::text[],
        ${batch.map((r) => r.leaseMs)}::int[]
      ) as i(key, template, locale, recipients, job_id, claim_token, lease_ms)
      on conflict (idempotency_key) do update
        set status = 'sending', attempts = d.attempts + 1, job_id = excluded.job_id,
            claim_token = excluded.claim_token, claimed_until = excluded.claimed_until
        -- Never another attempt's live claim, even of this same job (a run after a lost lock).
        where d.status = 'pending'
           or (d.status = 'sending' and d.claimed_until < now())
           or (d.status = 'failed' and d.job_id = excluded.job_id)
      returning d.id, d.idempotency_key as "idempotencyKey", d.template, d.locale, d.recipients,
                d.status, d.attempts, d.provider_message_id as "providerMessageId",
                d.last_error as "lastError", d.job_id as "jobId", d.claimed_until as "claimedUntil",
                d.claim_token as "claimToken", d.created_at as "createdAt", d.sent_at as "sentAt"`.execute(
      this.db,
    );
    const byKey = new Map(claimed.rows.map((row) => [row.idempotencyKey, row]));
    const others = batch.map((r) => r.job.idempotencyKey).filter((key) => !byKey.has(key));
    const unclaimable = new Map(
      others.length === 0
        ? []
        : (
            await this.db
              .selectFrom('notifications.delivery')
              .selectAll()
              .where('idempotencyKey', 'in', others)
              .execute()
          ).map((row) => [row.idempotencyKey, row]),
    );
    return batch.map(({ job }): Claim => {
      const mine = byKey.get(job.idempotencyKey);
      if (mine) return { kind: 'claimed', delivery: mine };
      const row = unclaimable.get(job.idempotencyKey);
      if (!row) throw new Error(`delivery ${job.idempotencyKey} neither claimed nor found`);
      return {
        kind: row.status === 'sent' || row.status === 'failed' ? row.status : 'busy',
        delivery: row,
      };
    });
  }

  private async recordAllSent(batch: SentRequest[]): Promise<boolean[]> {
    // Only the holder's own claim: a stale attempt's record changes nothing.
    const updated = await sql<{ id: string }>`
      update notifications.delivery as d
      set status = 'sent', sent_at = now(), provider_message_id = v.provider_message_id,
          last_error = null, claimed_until = null, claim_token = null
      from unnest(
        ${batch.map((r) => r.id)}::uuid[],
        ${batch.map((r) => claimTokenOf(r.owner))}::text[],
        ${batch.map((r) => r.providerMessageId)}::text[]
      ) as v(id, claim_token, provider_message_id)
      where d.id = v.id and d.status = 'sending' and d.claim_token = v.claim_token
      returning d.id`.execute(this.db);
    const ids = new Set(updated.rows.map((r) => r.id));
    return batch.map((r) => ids.has(r.id));
  }
}
