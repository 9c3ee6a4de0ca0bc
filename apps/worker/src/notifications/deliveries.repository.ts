import { Inject, Injectable } from '@nestjs/common';
import type { DB, DeliveryTable } from '@sp/db';
import { KYSELY } from '@sp/platform';
import type { DeliveryQuery, EmailSend } from '@sp/types';
import type { Kysely, Selectable, Updateable } from 'kysely';

export type DeliveryRow = Selectable<DeliveryTable>;

@Injectable()
export class DeliveryRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  /**
   * Runs `work` with the delivery for this idempotency key (made on first sight) locked and,
   * when it is to be tried, its attempt counted; what `work` records commits with it.
   *
   * `work` sees the delivery's status as it stands for this job: `sent` and `failed` are
   * final, except that the very job that failed it, retried by an admin, finds it `pending`
   * again and tries once more.
   */
  async withLocked<T>(
    job: EmailSend,
    jobId: string,
    work: (
      delivery: DeliveryRow,
      record: {
        sent: (providerMessageId: string | null) => Promise<void>;
        error: (message: string, final: boolean) => Promise<void>;
      },
    ) => Promise<T>,
  ): Promise<T> {
    await this.db
      .insertInto('notifications.delivery')
      .values({
        idempotencyKey: job.idempotencyKey,
        template: job.template,
        locale: job.locale,
        recipients: job.to,
      })
      .onConflict((oc) => oc.column('idempotencyKey').doNothing())
      .execute();
    return this.db.transaction().execute(async (trx) => {
      const found = await trx
        .selectFrom('notifications.delivery')
        .selectAll()
        .where('idempotencyKey', '=', job.idempotencyKey)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const retried = found.status === 'failed' && found.jobId === jobId;
      const delivery = retried ? { ...found, status: 'pending' } : found;
      const update = (values: Updateable<DeliveryTable>) =>
        trx
          .updateTable('notifications.delivery')
          .set(values)
          .where('id', '=', delivery.id)
          .execute();
      if (delivery.status === 'pending') {
        await trx
          .updateTable('notifications.delivery')
          .set((eb) => ({ attempts: eb('attempts', '+', 1), status: 'pending', jobId }))
          .where('id', '=', delivery.id)
          .execute();
      }
      return work(delivery, {
        sent: async (providerMessageId) => {
          await update({ status: 'sent', sentAt: new Date(), providerMessageId, lastError: null });
        },
        error: async (message, final) => {
          await update({
            lastError: message.slice(0, 2000),
            ...(final ? { status: 'failed' } : {}),
          });
        },
      });
    });
  }

  list(query: DeliveryQuery): Promise<DeliveryRow[]> {
    let q = this.db
      .selectFrom('notifications.delivery')
      .selectAll()
      .orderBy('createdAt', 'desc')
      .limit(query.limit);
    if (query.status) q = q.where('status', '=', query.status);
    return q.execute();
  }
}
