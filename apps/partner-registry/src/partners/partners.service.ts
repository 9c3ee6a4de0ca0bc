import { Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import {
  actorOf,
  AppError,
  AuditLog,
  boundPartnerId,
  checkVersion,
  type ExpectedVersion,
  requestContext,
} from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import {
  joinPartialDate,
  type PartnerCoordinator,
  type PartnerCreate,
  type PartnerDetail,
  type PartnerExportQuery,
  type PartnerListQuery,
  type PartnerPage,
  type PartnerStatus,
  type PartnerUpdate,
  type PublicPartnerList,
  splitPartialDate,
} from '@sp/types';
import type { Transaction } from 'kysely';
import { ApiClientsService } from '../access/api-clients.service';
import { AgreementsService } from '../agreements/agreements.service';
import type { Audience } from '../agreements/agreements.mapper';
import { todayInTokyo } from '@sp/platform';
import { decodeCursor, encodeCursor } from './cursor';
import {
  changesStatus,
  checkStatusChange,
  checkStatusChangedOn,
  checkStatusSince,
} from './partner-status';
import { toPartner, toPartnerDetail, toPartnerSnapshot, toPublicPartner } from './partners.mapper';
import { type PartnerRow, PartnersRepository } from './partners.repository';
import type { Readable } from 'node:stream';
import type { CsvColumn } from '../common/csv-export';

const audience = (): Audience => (boundPartnerId() ? 'partner' : 'staff');

/** A date the contract has checked, as its first day and precision. */
const split = (value: string) => {
  const parts = splitPartialDate(value);
  if (!parts) throw new Error(`not a partial date: ${value}`);
  return parts;
};

/** The coordinator's columns: all three set, or all three cleared. */
const coordinatorColumns = (c: PartnerCoordinator | null) => ({
  coordinatorName: c?.name ?? null,
  coordinatorEmail: c?.email ?? null,
  coordinatorLocale: c?.locale ?? null,
});

/** Who is recording a change (audit rows name them too). */
const actorColumns = () => {
  const actor = actorOf(requestContext.principal());
  return { actorKind: actor.kind, actorId: actor.id };
};

/** Outbox rows per insert (three parameters each). */
const EVENT_BATCH = 1000;

/**
 * Partner universities. The service holds the transaction and the order of things: rules are
 * in `partner-status.ts`, mapping in `partners.mapper.ts`, SQL and constraint errors in
 * `PartnersRepository`; the audit entry and the outbox event commit with the change.
 */
@Injectable()
export class PartnersService {
  constructor(
    private readonly repo: PartnersRepository,
    private readonly agreements: AgreementsService,
    private readonly audit: AuditLog,
    private readonly clients: ApiClientsService,
  ) {}

  async list(query: PartnerListQuery): Promise<PartnerPage> {
    const cursor = query.cursor ? decodeCursor(query.cursor, query.sort) : undefined;
    const { rows, more } = await this.repo.list(query, cursor);
    const last = rows.at(-1);
    const caller = audience();
    return {
      items: rows.map((r) => toPartner(r, caller)),
      nextCursor:
        more && last
          ? encodeCursor({ sort: query.sort, value: last.sortValue, id: last.id })
          : null,
    };
  }

  /** The programme page's lists: primary, strategic and prospective partners (public fields only). */
  async listPublic(): Promise<PublicPartnerList> {
    const rows = await this.repo.listPublic();
    const of = (status: PartnerStatus) =>
      rows.filter((r) => r.status === status).map(toPublicPartner);
    return { primary: of('primary'), strategic: of('strategic'), prospective: of('prospective') };
  }

  async get(id: string): Promise<PartnerDetail> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('partner', id);
    return this.detail(row);
  }

  /** A taken name is the repository's 409 on `nameEn`; nothing is written then. */
  create(input: PartnerCreate): Promise<PartnerDetail> {
    const today = todayInTokyo();
    checkStatusSince(input.statusSince, today);
    const since = split(input.statusSince ?? today);
    return this.repo.transaction(async (trx) => {
      const row = await this.repo.insert(trx, newPartnerColumns(input, since));
      await this.audit.record(trx, {
        entity: 'partner',
        entityId: row.id,
        action: 'create',
        after: toPartner(row),
      });
      await writeOutbox(trx, 'registry', {
        name: 'partner.created',
        payload: toPartnerSnapshot(row),
      });
      await this.repo.recordStatusChange(trx, {
        partnerId: row.id,
        fromStatus: null,
        toStatus: row.status,
        changedOn: row.statusSince,
        changedOnPrecision: since.precision,
        note: null,
        ...actorColumns(),
      });
      return this.detail(row, trx);
    });
  }

  /**
   * Partners from an import, inside the import's transaction: batched inserts with their first
   * status, and a `partner.created` event each (the other services keep snapshots of every
   * partner). The import records one audit entry for the whole file, not one per partner.
   */
  async createMany(trx: Transaction<DB>, inputs: PartnerCreate[]): Promise<number> {
    const today = todayInTokyo();
    const rows = await this.repo.insertMany(
      trx,
      inputs.map((input) => newPartnerColumns(input, { firstDay: today, precision: 'day' })),
    );
    for (let i = 0; i < rows.length; i += EVENT_BATCH)
      await writeOutbox(
        trx,
        'registry',
        ...rows
          .slice(i, i + EVENT_BATCH)
          .map((row) => ({ name: 'partner.created' as const, payload: toPartnerSnapshot(row) })),
      );
    return rows.length;
  }

  /** Every partner the filters match, as a CSV file (an export) of these columns. */
  exportCsv(filters: PartnerExportQuery, columns: readonly CsvColumn[]): Promise<Readable> {
    return this.repo.exportCsv(filters, columns);
  }

  /** Which of these ids are partners'. */
  async existingIds(ids: string[]): Promise<Set<string>> {
    return new Set(await this.repo.existingIds(ids));
  }

  /** Each name's key as the unique name index compares it, and whether a partner has it. */
  nameKeys(names: string[]): Promise<{ key: string; taken: boolean }[]> {
    return this.repo.nameKeys(names);
  }

  /**
   * Ending a partnership revokes all its API clients in the same transaction (each revocation
   * audited); its tokens already issued stop working on the registry within
   * AUTH_PARTNER_ACCESS_CACHE_MS.
   */
  async update(
    id: string,
    patch: PartnerUpdate,
    expected: ExpectedVersion,
  ): Promise<PartnerDetail> {
    const { statusChangedOn, statusNote, coordinator, ...fields } = patch;
    const today = todayInTokyo();
    checkStatusChangedOn(statusChangedOn, today);
    let revokedClients: string[] = [];
    const detail = await this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('partner', id);
      checkVersion(current.version, expected, 'partner');
      const from = current.status;
      const to = fields.status;
      const statusChanges = changesStatus(from, to);
      if (statusChanges) {
        checkStatusChange(from, to);
        checkStatusChangedOn(statusChangedOn, today, {
          firstDay: current.statusSince,
          shown: joinPartialDate(current.statusSince, current.statusSincePrecision),
        });
      }
      const changedOn = split(statusChangedOn ?? today);
      const row = await this.repo.update(trx, id, {
        ...fields,
        ...(coordinator !== undefined ? coordinatorColumns(coordinator) : {}),
        ...(statusChanges
          ? { statusSince: changedOn.firstDay, statusSincePrecision: changedOn.precision }
          : {}),
      });
      await this.audit.record(trx, {
        entity: 'partner',
        entityId: id,
        action: statusChanges ? 'update-status' : 'update',
        before: toPartner(current),
        after: toPartner(row),
      });
      await writeOutbox(
        trx,
        'registry',
        statusChanges
          ? {
              name: 'partner.status-changed',
              payload: { ...toPartnerSnapshot(row), previousStatus: from },
            }
          : { name: 'partner.updated', payload: toPartnerSnapshot(row) },
      );
      if (statusChanges) {
        await this.repo.recordStatusChange(trx, {
          partnerId: id,
          fromStatus: from,
          toStatus: row.status,
          changedOn: changedOn.firstDay,
          changedOnPrecision: changedOn.precision,
          note: statusNote ?? null,
          ...actorColumns(),
        });
        if (row.status === 'ended')
          revokedClients = await this.clients.revokeAllForPartner(trx, id);
      }
      return this.detail(row, trx);
    });
    this.clients.forgetAccess(revokedClients);
    return detail;
  }

  /** The partner with its agreements and status history, read in `trx` when inside one. */
  private async detail(row: PartnerRow, trx?: Transaction<DB>): Promise<PartnerDetail> {
    const [agreements, history] = await Promise.all([
      this.agreements.listForPartner(row.id, trx),
      this.repo.statusHistory(row.id, trx),
    ]);
    return toPartnerDetail(row, agreements, history, audience());
  }
}

/**
 * A new partner's columns, one place for the API's create and an import's: the import took
 * city, logo, tags and coordinating department as columns and then dropped them, because its
 * insert listed the columns of its own (found by helper-48).
 */
function newPartnerColumns(
  input: PartnerCreate,
  since: { firstDay: string; precision: 'year' | 'month' | 'day' },
) {
  return {
    nameEn: input.nameEn,
    nameJa: input.nameJa ?? null,
    country: input.country,
    region: input.region ?? null,
    website: input.website ?? null,
    status: input.status,
    statusSince: since.firstDay,
    statusSincePrecision: since.precision,
    memberInstitutions: input.memberInstitutions,
    summaryEn: input.summaryEn ?? null,
    summaryJa: input.summaryJa ?? null,
    city: input.city ?? null,
    logoUrl: input.logoUrl ?? null,
    tags: input.tags,
    coordinatingDepartment: input.coordinatingDepartment ?? null,
    ...coordinatorColumns(input.coordinator ?? null),
  };
}
