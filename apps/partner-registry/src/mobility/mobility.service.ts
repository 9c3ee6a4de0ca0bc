import { Injectable } from '@nestjs/common';
import {
  AppError,
  AuditLog,
  boundPartnerId,
  checkVersion,
  type ExpectedVersion,
} from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type { DB } from '@sp/db';
import type { Transaction } from 'kysely';
import type {
  MobilityCreate,
  MobilityExportQuery,
  MobilityListQuery,
  MobilityPage,
  MobilityRecord,
  MobilityTotals,
  MobilityTotalsQuery,
  MobilityUpdate,
  ReviewApprove,
  ReviewReturn,
} from '@sp/types';
import { partnerOfRecord } from '../common/partner-of-record';
import { decodeTimeCursor, encodeTimeCursor } from '../common/time-cursor';
import { todayInTokyo } from '@sp/platform';
import { currentWriter } from '../common/writer';
import { fiscalYearOf } from './fiscal-year';
import {
  checkFiscalYear,
  checkMobilityReview,
  mobilityReviewStatusAfterWrite,
} from './mobility-review';
import { cellKey, toMobilityRecord, toMobilitySnapshot, toMobilityTotals } from './mobility.mapper';
import { MobilityRepository } from './mobility.repository';
import type { Readable } from 'node:stream';
import type { CsvColumn } from '../common/csv-export';

/** Outbox rows per insert of an import (three parameters each). */
const EVENT_BATCH = 1000;

/**
 * Mobility counts per Japanese fiscal year. Partners report theirs (submitted), staff approve
 * or return them; totals count approved reports. Audited and published on `registry-records`.
 */
@Injectable()
export class MobilityService {
  constructor(
    private readonly repo: MobilityRepository,
    private readonly audit: AuditLog,
  ) {}

  async list(query: MobilityListQuery): Promise<MobilityPage> {
    const cursor = query.cursor ? decodeTimeCursor('mobility', query.cursor) : undefined;
    const { rows, more } = await this.repo.list(query, cursor);
    const last = rows.at(-1);
    return {
      items: rows.map(toMobilityRecord),
      nextCursor:
        more && last ? encodeTimeCursor('mobility', { at: last.cursorAt, id: last.id }) : null,
    };
  }

  async get(id: string): Promise<MobilityRecord> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('mobility record', id);
    return toMobilityRecord(row);
  }

  /** Approved people per partner in a fiscal year (default: the current one, in Tokyo). */
  async totals(query: MobilityTotalsQuery, today = todayInTokyo()): Promise<MobilityTotals> {
    const fiscalYear = query.fiscalYear ?? fiscalYearOf(today);
    return toMobilityTotals(fiscalYear, await this.repo.totals(fiscalYear, query.partnerId));
  }

  /** Every report the filters match, as a CSV file (an export) of these columns. */
  exportCsv(filters: MobilityExportQuery, columns: readonly CsvColumn[]): Promise<Readable> {
    return this.repo.exportCsv(filters, columns);
  }

  /** The rules a new report must keep that its contract cannot say (an import checks each row). */
  checkNew(input: MobilityCreate): void {
    checkFiscalYear(input.fiscalYear, fiscalYearOf(todayInTokyo()));
  }

  /** The cells (one report each) these partners already have, as `cellKey`s. */
  async takenCells(partnerIds: string[]): Promise<Set<string>> {
    return new Set((await this.repo.cellsOf(partnerIds)).map(cellKey));
  }

  /** The `cellKey` of each report, in order, compared as the cell index compares them. */
  async cellKeys(inputs: MobilityCreate[]): Promise<string[]> {
    const programmes = await this.repo.programmeKeys(inputs.map((i) => i.programme));
    return inputs.map((input, i) => cellKey({ ...input, programme: programmes[i]! }));
  }

  /**
   * Staff's reports from an import, inside its transaction: approved as staff's own are, in
   * batched inserts, each with its `mobility.created` event.
   */
  async createMany(trx: Transaction<DB>, inputs: MobilityCreate[]): Promise<number> {
    const { by } = currentWriter();
    const now = new Date();
    const rows = await this.repo.insertMany(
      trx,
      inputs.map((input) => {
        this.checkNew(input);
        return {
          partnerId: partnerOfRecord(input.partnerId, null),
          fiscalYear: input.fiscalYear,
          direction: input.direction,
          personType: input.personType,
          programme: input.programme,
          count: input.count,
          note: input.note ?? null,
          reviewStatus: 'approved' as const,
          reviewedAt: now,
          reviewedBy: by,
          reportedBy: 'staff' as const,
          createdBy: by,
        };
      }),
    );
    for (let i = 0; i < rows.length; i += EVENT_BATCH)
      await writeOutbox(
        trx,
        'registry',
        ...rows
          .slice(i, i + EVENT_BATCH)
          .map((row) => ({ name: 'mobility.created' as const, payload: toMobilitySnapshot(row) })),
      );
    return rows.length;
  }

  create(input: MobilityCreate): Promise<MobilityRecord> {
    const { reporter, by } = currentWriter();
    const partnerId = partnerOfRecord(input.partnerId, boundPartnerId());
    checkFiscalYear(input.fiscalYear, fiscalYearOf(todayInTokyo()));
    const reviewStatus = mobilityReviewStatusAfterWrite(reporter);
    return this.repo.transaction(async (trx) => {
      const row = await this.repo.insert(trx, {
        partnerId,
        fiscalYear: input.fiscalYear,
        direction: input.direction,
        personType: input.personType,
        programme: input.programme,
        count: input.count,
        note: input.note ?? null,
        reviewStatus,
        reviewedAt: reviewStatus === 'approved' ? new Date() : null,
        reviewedBy: reviewStatus === 'approved' ? by : null,
        reportedBy: reporter,
        createdBy: by,
      });
      const record = toMobilityRecord(row);
      await this.audit.record(trx, {
        entity: 'mobility',
        entityId: row.id,
        action: 'create',
        after: record,
      });
      await writeOutbox(trx, 'registry', {
        name: 'mobility.created',
        payload: toMobilitySnapshot(row),
      });
      return record;
    });
  }

  /** A partner's change goes back to review; staff's stands approved. */
  update(id: string, patch: MobilityUpdate, expected: ExpectedVersion): Promise<MobilityRecord> {
    const { reporter, by } = currentWriter();
    if (patch.fiscalYear !== undefined)
      checkFiscalYear(patch.fiscalYear, fiscalYearOf(todayInTokyo()));
    const reviewStatus = mobilityReviewStatusAfterWrite(reporter);
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('mobility record', id);
      checkVersion(current.version, expected, 'mobility record');
      const row = await this.repo.update(trx, id, {
        ...patch,
        reviewStatus,
        ...(reviewStatus === 'approved' ? { reviewedAt: new Date(), reviewedBy: by } : {}),
      });
      const record = toMobilityRecord(row);
      await this.audit.record(trx, {
        entity: 'mobility',
        entityId: id,
        action: 'update',
        before: toMobilityRecord(current),
        after: record,
      });
      await writeOutbox(trx, 'registry', {
        name: 'mobility.updated',
        payload: toMobilitySnapshot(row),
      });
      return record;
    });
  }

  review(
    id: string,
    decision: { approve: ReviewApprove } | { return: ReviewReturn },
    expected: ExpectedVersion,
  ): Promise<MobilityRecord> {
    const approve = 'approve' in decision;
    const comment = approve ? (decision.approve.comment ?? null) : decision.return.comment;
    const { by } = currentWriter();
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('mobility record', id);
      checkVersion(current.version, expected, 'mobility record');
      checkMobilityReview(current.reviewStatus, approve ? 'approve' : 'return');
      const row = await this.repo.update(trx, id, {
        reviewStatus: approve ? 'approved' : 'returned',
        reviewComment: comment,
        reviewedAt: new Date(),
        reviewedBy: by,
      });
      const record = toMobilityRecord(row);
      await this.audit.record(trx, {
        entity: 'mobility',
        entityId: id,
        action: approve ? 'approve' : 'return',
        before: toMobilityRecord(current),
        after: record,
      });
      await writeOutbox(trx, 'registry', {
        name: approve ? 'mobility.approved' : 'mobility.returned',
        payload: toMobilitySnapshot(row),
      });
      return record;
    });
  }
}
