import { Injectable } from '@nestjs/common';
import {
  AppError,
  AuditLog,
  boundPartnerId,
  checkVersion,
  type ExpectedVersion,
} from '@sp/platform';
import type { DB } from '@sp/db';
import { writeOutbox } from '@sp/queue';
import type { Transaction } from 'kysely';
import type {
  Activity,
  ActivityCreate,
  ActivityExportQuery,
  ActivityListQuery,
  ActivityPage,
  ActivityUpdate,
  PublicActivity,
  ReviewApprove,
  ReviewReturn,
} from '@sp/types';
import { partnerOfRecord } from '../common/partner-of-record';
import { decodeTimeCursor, encodeTimeCursor } from '../common/time-cursor';
import { currentWriter } from '../common/writer';
import { checkActivityPeriod } from './activity-period';
import { checkReview, checkSubmit, publishedAt, reviewStatusAfterEdit } from './activity-review';
import { toActivity, toActivitySnapshot, toPublicActivity } from './activities.mapper';
import { ActivitiesRepository } from './activities.repository';
import type { Readable } from 'node:stream';
import type { CsvColumn } from '../common/csv-export';

/** Outbox rows per insert of an import (three parameters each). */
const EVENT_BATCH = 1000;

/**
 * Projects and activities done with a partner, and their review. Staff's records are approved
 * as written; a partner's go draft → submitted → approved | returned (rules in
 * `activity-review.ts`). Every change is audited and published on `registry-records` in its
 * transaction.
 */
@Injectable()
export class ActivitiesService {
  constructor(
    private readonly repo: ActivitiesRepository,
    private readonly audit: AuditLog,
  ) {}

  async list(query: ActivityListQuery): Promise<ActivityPage> {
    const cursor = query.cursor ? decodeTimeCursor('activities', query.cursor) : undefined;
    const { rows, more } = await this.repo.list(query, cursor);
    const last = rows.at(-1);
    return {
      items: rows.map(toActivity),
      nextCursor:
        more && last ? encodeTimeCursor('activities', { at: last.cursorAt, id: last.id }) : null,
    };
  }

  async get(id: string): Promise<Activity> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('activity', id);
    return toActivity(row);
  }

  /** The partner an activity belongs to, or undefined when there is no such activity. */
  partnerIdOf(id: string, trx?: Transaction<DB>): Promise<string | undefined> {
    return this.repo.partnerIdOf(id, trx);
  }

  /** The public "Recent Activities", newest first. */
  async listPublished(
    limit: number,
    rawCursor: string | undefined,
    partnerId?: string,
  ): Promise<{ items: PublicActivity[]; nextCursor: string | null }> {
    const cursor = rawCursor ? decodeTimeCursor('public-activities', rawCursor) : undefined;
    const { rows, more } = await this.repo.listPublished(limit, cursor, partnerId);
    const last = rows.at(-1);
    return {
      items: rows.flatMap((r) =>
        r.publishedAt ? [toPublicActivity({ ...r, publishedAt: r.publishedAt })] : [],
      ),
      nextCursor:
        more && last
          ? encodeTimeCursor('public-activities', { at: last.cursorAt, id: last.id })
          : null,
    };
  }

  /** One approved public activity; anything else is not found, whoever asks. */
  async getPublished(id: string): Promise<PublicActivity> {
    const row = await this.repo.findPublished(id);
    if (!row?.publishedAt) throw AppError.notFound('activity', id);
    return toPublicActivity({ ...row, publishedAt: row.publishedAt });
  }

  /** Every activity the filters match, as a CSV file (an export) of these columns. */
  exportCsv(filters: ActivityExportQuery, columns: readonly CsvColumn[]): Promise<Readable> {
    return this.repo.exportCsv(filters, columns);
  }

  /** The rules a new activity must keep that its contract cannot say (an import checks each row). */
  checkNew(input: ActivityCreate): void {
    checkActivityPeriod(input.startsOn ?? null, input.endsOn ?? null);
  }

  /**
   * Staff's activities from an import, inside its transaction: approved as staff's own are,
   * in batched inserts, each with its `activity.created` event. The import records one audit
   * entry for the whole file.
   */
  async createMany(trx: Transaction<DB>, inputs: ActivityCreate[]): Promise<number> {
    const { by } = currentWriter();
    const now = new Date();
    const rows = await this.repo.insertMany(
      trx,
      inputs.map((input) => {
        this.checkNew(input);
        return {
          partnerId: partnerOfRecord(input.partnerId, null),
          type: input.type,
          titleEn: input.titleEn,
          titleJa: input.titleJa ?? null,
          summaryEn: input.summaryEn ?? null,
          summaryJa: input.summaryJa ?? null,
          departments: input.departments,
          leads: input.leads,
          startsOn: input.startsOn ?? null,
          endsOn: input.endsOn ?? null,
          status: input.status,
          isPublic: input.isPublic,
          links: JSON.stringify(input.links),
          outputs: JSON.stringify(input.outputs),
          reviewStatus: 'approved' as const,
          reviewedAt: now,
          reviewedBy: by,
          publishedAt: publishedAt(
            { reviewStatus: 'approved', isPublic: input.isPublic },
            null,
            now,
          ),
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
          .map((row) => ({ name: 'activity.created' as const, payload: toActivitySnapshot(row) })),
      );
    return rows.length;
  }

  create(input: ActivityCreate): Promise<Activity> {
    const { reporter, by } = currentWriter();
    const partnerId = partnerOfRecord(input.partnerId, boundPartnerId());
    const startsOn = input.startsOn ?? null;
    const endsOn = input.endsOn ?? null;
    checkActivityPeriod(startsOn, endsOn);
    const now = new Date();
    const reviewStatus = reporter === 'staff' ? 'approved' : 'draft';
    return this.repo.transaction(async (trx) => {
      const row = await this.repo.insert(trx, {
        partnerId,
        type: input.type,
        titleEn: input.titleEn,
        titleJa: input.titleJa ?? null,
        summaryEn: input.summaryEn ?? null,
        summaryJa: input.summaryJa ?? null,
        departments: input.departments,
        leads: input.leads,
        startsOn,
        endsOn,
        status: input.status,
        isPublic: input.isPublic,
        links: JSON.stringify(input.links),
        outputs: JSON.stringify(input.outputs),
        reviewStatus,
        reviewedAt: reporter === 'staff' ? now : null,
        reviewedBy: reporter === 'staff' ? by : null,
        publishedAt: publishedAt({ reviewStatus, isPublic: input.isPublic }, null, now),
        reportedBy: reporter,
        createdBy: by,
      });
      const activity = toActivity(row);
      await this.audit.record(trx, {
        entity: 'activity',
        entityId: row.id,
        action: 'create',
        after: activity,
      });
      await writeOutbox(trx, 'registry', {
        name: 'activity.created',
        payload: toActivitySnapshot(row),
      });
      return activity;
    });
  }

  async update(id: string, patch: ActivityUpdate, expected: ExpectedVersion): Promise<Activity> {
    const { reporter } = currentWriter();
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('activity', id);
      checkVersion(current.version, expected, 'activity');
      checkActivityPeriod(
        patch.startsOn !== undefined ? patch.startsOn : current.startsOn,
        patch.endsOn !== undefined ? patch.endsOn : current.endsOn,
      );
      const reviewStatus = reviewStatusAfterEdit(current.reviewStatus, reporter);
      const isPublic = patch.isPublic ?? current.isPublic;
      const { links, outputs, ...fields } = patch;
      const row = await this.repo.update(trx, id, {
        ...fields,
        ...(links !== undefined ? { links: JSON.stringify(links) } : {}),
        ...(outputs !== undefined ? { outputs: JSON.stringify(outputs) } : {}),
        reviewStatus,
        publishedAt: publishedAt({ reviewStatus, isPublic }, current.publishedAt, new Date()),
      });
      const activity = toActivity(row);
      await this.audit.record(trx, {
        entity: 'activity',
        entityId: id,
        action: 'update',
        before: toActivity(current),
        after: activity,
      });
      await writeOutbox(trx, 'registry', {
        name: 'activity.updated',
        payload: toActivitySnapshot(row),
      });
      return activity;
    });
  }

  /** A draft or returned activity goes to staff for review. */
  submit(id: string, expected: ExpectedVersion): Promise<Activity> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('activity', id);
      checkVersion(current.version, expected, 'activity');
      checkSubmit(current.reviewStatus);
      const row = await this.repo.update(trx, id, {
        reviewStatus: 'submitted',
        submittedAt: new Date(),
      });
      const activity = toActivity(row);
      await this.audit.record(trx, {
        entity: 'activity',
        entityId: id,
        action: 'submit',
        before: toActivity(current),
        after: activity,
      });
      await writeOutbox(trx, 'registry', {
        name: 'activity.submitted',
        payload: toActivitySnapshot(row),
      });
      return activity;
    });
  }

  /** Staff approve a submitted activity (public from now if its flag is set) or return it with a comment. */
  review(
    id: string,
    decision: { approve: ReviewApprove } | { return: ReviewReturn },
    expected: ExpectedVersion,
  ): Promise<Activity> {
    const approve = 'approve' in decision;
    const comment = approve ? (decision.approve.comment ?? null) : decision.return.comment;
    const { by } = currentWriter();
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('activity', id);
      checkVersion(current.version, expected, 'activity');
      checkReview(current.reviewStatus, approve ? 'approve' : 'return');
      const now = new Date();
      const reviewStatus = approve ? 'approved' : 'returned';
      const row = await this.repo.update(trx, id, {
        reviewStatus,
        reviewComment: comment,
        reviewedAt: now,
        reviewedBy: by,
        publishedAt: publishedAt(
          { reviewStatus, isPublic: current.isPublic },
          current.publishedAt,
          now,
        ),
      });
      const activity = toActivity(row);
      await this.audit.record(trx, {
        entity: 'activity',
        entityId: id,
        action: approve ? 'approve' : 'return',
        before: toActivity(current),
        after: activity,
      });
      await writeOutbox(trx, 'registry', {
        name: approve ? 'activity.approved' : 'activity.returned',
        payload: toActivitySnapshot(row),
      });
      return activity;
    });
  }
}
