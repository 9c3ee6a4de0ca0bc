import { Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, AuditLog, checkVersion, type ExpectedVersion } from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import {
  type FundingExportQuery,
  type Funding,
  type FundingCreate,
  type FundingListQuery,
  type FundingPage,
  type FundingUpdate,
  trimAmount,
} from '@sp/types';
import type { Transaction } from 'kysely';
import { ActivitiesService } from '../activities/activities.service';
import { decodeTimeCursor, encodeTimeCursor } from '../common/time-cursor';
import { currentWriter } from '../common/writer';
import { checkAmountFitsCurrency } from './funding-amount';
import { toFunding, toFundingSnapshot } from './funding.mapper';
import { FundingRepository } from './funding.repository';
import type { Readable } from 'node:stream';
import type { CsvColumn } from '../common/csv-export';

const foreignActivity = () =>
  new AppError('validation-error', "the linked activity is not one of this partner's", {
    errors: [
      {
        in: 'body',
        field: 'activityId',
        message: 'must be an activity of the same partner',
        code: 'invalid_value',
      },
    ],
  });

/**
 * External funding sought or won with a partner: exact amounts in an ISO 4217 currency.
 * Staff write it; a partner's client with `registry:read` reads its own.
 */
@Injectable()
export class FundingService {
  constructor(
    private readonly repo: FundingRepository,
    private readonly activities: ActivitiesService,
    private readonly audit: AuditLog,
  ) {}

  /** Every funding record the filters match, as a CSV file (an export) of these columns. */
  exportCsv(filters: FundingExportQuery, columns: readonly CsvColumn[]): Promise<Readable> {
    return this.repo.exportCsv(filters, columns);
  }

  async list(query: FundingListQuery): Promise<FundingPage> {
    const cursor = query.cursor ? decodeTimeCursor('funding', query.cursor) : undefined;
    const { rows, more } = await this.repo.list(query, cursor);
    const last = rows.at(-1);
    return {
      items: rows.map(toFunding),
      nextCursor:
        more && last ? encodeTimeCursor('funding', { at: last.cursorAt, id: last.id }) : null,
    };
  }

  async get(id: string): Promise<Funding> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('funding', id);
    return toFunding(row);
  }

  create(input: FundingCreate): Promise<Funding> {
    const { by } = currentWriter();
    return this.repo.transaction(async (trx) => {
      const activityId = input.activityId ?? null;
      if (activityId) await this.checkActivity(trx, activityId, input.partnerId);
      const row = await this.repo.insert(trx, {
        partnerId: input.partnerId,
        activityId,
        source: input.source,
        scheme: input.scheme ?? null,
        amount: input.amount,
        currency: input.currency,
        fiscalYear: input.fiscalYear,
        status: input.status,
        note: input.note ?? null,
        createdBy: by,
      });
      const funding = toFunding(row);
      await this.audit.record(trx, {
        entity: 'funding',
        entityId: row.id,
        action: 'create',
        after: funding,
      });
      await writeOutbox(trx, 'registry', {
        name: 'funding.created',
        payload: toFundingSnapshot(row),
      });
      return funding;
    });
  }

  update(id: string, patch: FundingUpdate, expected: ExpectedVersion): Promise<Funding> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('funding', id);
      checkVersion(current.version, expected, 'funding');
      checkAmountFitsCurrency(
        patch.amount ?? trimAmount(current.amount),
        patch.currency ?? current.currency,
      );
      if (patch.activityId) await this.checkActivity(trx, patch.activityId, current.partnerId);
      const row = await this.repo.update(trx, id, patch);
      const funding = toFunding(row);
      await this.audit.record(trx, {
        entity: 'funding',
        entityId: id,
        action: 'update',
        before: toFunding(current),
        after: funding,
      });
      await writeOutbox(trx, 'registry', {
        name: 'funding.updated',
        payload: toFundingSnapshot(row),
      });
      return funding;
    });
  }

  /** A linked activity must exist and be the same partner's. */
  private async checkActivity(
    trx: Transaction<DB>,
    activityId: string,
    partnerId: string,
  ): Promise<void> {
    const owner = await this.activities.partnerIdOf(activityId, trx);
    if (owner === undefined)
      throw new AppError('validation-error', `activity ${activityId} does not exist`, {
        errors: [
          { in: 'body', field: 'activityId', message: 'is not an activity', code: 'not_found' },
        ],
      });
    if (owner !== partnerId) throw foreignActivity();
  }
}
