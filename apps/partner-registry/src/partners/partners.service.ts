import { Injectable } from '@nestjs/common';
import { AppError, AuditLog } from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type {
  Agreement,
  Partner,
  PartnerCreate,
  PartnerDetail,
  PartnerListQuery,
  PartnerPage,
  PartnerStatus,
  PartnerStatusChange,
  PartnerUpdate,
  PartnerSnapshot,
} from '@sp/types';
import { ApiClientsService } from '../access/clients.service';
import { decodeCursor, encodeCursor } from './cursor';
import {
  type PartnerRepository as Repo,
  PartnerRepository,
  type PartnerRow,
} from './partners.repository';

/** The programme runs on Tokyo dates. */
const tokyoDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' });
export const todayInTokyo = (now = new Date()): string => tokyoDate.format(now);

/** `ended` closes a partnership for good: a renewed relationship is entered as a new partner. */
export function checkStatusChange(from: PartnerStatus, to: PartnerStatus): void {
  if (from === 'ended' && to !== 'ended') {
    throw new AppError(
      'invalid-status-transition',
      `an ended partnership cannot become ${to}; record the renewed relationship as a new partner`,
    );
  }
}

export function toPartner(row: PartnerRow): Partner {
  return {
    id: row.id,
    nameEn: row.nameEn,
    nameJa: row.nameJa,
    country: row.country,
    region: row.region,
    website: row.website,
    status: row.status,
    statusSince: row.statusSince,
    memberInstitutions: row.memberInstitutions,
    summaryEn: row.summaryEn,
    summaryJa: row.summaryJa,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What other services keep of a partner (the payload of `partner.*` events). */
const snapshotOf = (row: PartnerRow): PartnerSnapshot => ({
  id: row.id,
  nameEn: row.nameEn,
  nameJa: row.nameJa,
  country: row.country,
  status: row.status,
  updatedAt: row.updatedAt.toISOString(),
  version: Number(row.version),
});

function isUniqueNameViolation(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === 'partner_name_en_key';
}

const duplicateName = (name: string) =>
  new AppError('conflict', `a partner named "${name}" already exists`, {
    errors: [
      {
        in: 'body',
        field: 'nameEn',
        message: 'is already the name of another partner',
        code: 'duplicate',
      },
    ],
  });

@Injectable()
export class PartnersService {
  constructor(
    private readonly repo: PartnerRepository,
    private readonly audit: AuditLog,
    private readonly clients: ApiClientsService,
  ) {}

  async list(query: PartnerListQuery): Promise<PartnerPage> {
    const cursor = query.cursor ? decodeCursor(query.cursor, query.sort) : undefined;
    const { rows, more } = await this.repo.list(query, cursor);
    const last = rows.at(-1);
    return {
      items: rows.map(toPartner),
      nextCursor:
        more && last
          ? encodeCursor({ sort: query.sort, value: last.sortValue, id: last.id })
          : null,
    };
  }

  async get(id: string): Promise<PartnerDetail> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('partner', id);
    return this.detail(row, this.repo);
  }

  async create(input: PartnerCreate): Promise<PartnerDetail> {
    try {
      return await this.repo.transaction(async (trx) => {
        const row = await this.repo.insert(trx, {
          nameEn: input.nameEn,
          nameJa: input.nameJa ?? null,
          country: input.country,
          region: input.region ?? null,
          website: input.website ?? null,
          status: input.status,
          statusSince: todayInTokyo(),
          memberInstitutions: input.memberInstitutions,
          summaryEn: input.summaryEn ?? null,
          summaryJa: input.summaryJa ?? null,
        });
        await this.audit.record(trx, {
          entity: 'partner',
          entityId: row.id,
          action: 'create',
          after: toPartner(row),
        });
        await writeOutbox(trx, 'registry', {
          name: 'partner.created',
          payload: snapshotOf(row),
        });
        await this.repo.recordStatusChange(trx, {
          partnerId: row.id,
          fromStatus: null,
          toStatus: row.status,
          changedOn: row.statusSince,
          note: null,
        });
        return this.detail(row, this.repo, trx);
      });
    } catch (error) {
      if (isUniqueNameViolation(error)) throw duplicateName(input.nameEn);
      throw error;
    }
  }

  /**
   * Ending a partnership revokes all its API clients in the same transaction (each revocation
   * audited); its tokens already issued stop working on the registry within
   * AUTH_PARTNER_ACCESS_CACHE_MS.
   */
  async update(id: string, patch: PartnerUpdate): Promise<PartnerDetail> {
    const { statusChangedOn, statusNote, ...fields } = patch;
    const today = todayInTokyo();
    if (statusChangedOn && statusChangedOn > today) {
      throw new AppError('validation-error', 'invalid body: statusChangedOn', {
        errors: [
          {
            in: 'body',
            field: 'statusChangedOn',
            message: 'cannot be in the future',
            code: 'too_big',
          },
        ],
      });
    }
    let revokedClients: string[] = [];
    try {
      const detail = await this.repo.transaction(async (trx) => {
        const current = await this.repo.findByIdForUpdate(trx, id);
        if (!current) throw AppError.notFound('partner', id);
        const from = current.status;
        const statusChanges = fields.status !== undefined && fields.status !== from;
        if (statusChanges) checkStatusChange(from, fields.status!);
        const changedOn = statusChangedOn ?? today;
        const row = await this.repo.update(trx, id, {
          ...fields,
          ...(statusChanges ? { statusSince: changedOn } : {}),
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
                payload: { ...snapshotOf(row), previousStatus: from },
              }
            : { name: 'partner.updated', payload: snapshotOf(row) },
        );
        if (statusChanges) {
          await this.repo.recordStatusChange(trx, {
            partnerId: id,
            fromStatus: from,
            toStatus: row.status,
            changedOn,
            note: statusNote ?? null,
          });
          if (row.status === 'ended')
            revokedClients = await this.clients.revokeAllForPartner(trx, id);
        }
        return this.detail(row, this.repo, trx);
      });
      this.clients.forgetAccess(revokedClients);
      return detail;
    } catch (error) {
      if (isUniqueNameViolation(error) && fields.nameEn) throw duplicateName(fields.nameEn);
      throw error;
    }
  }

  private async detail(
    row: PartnerRow,
    repo: Repo,
    db?: Parameters<Repo['agreements']>[1],
  ): Promise<PartnerDetail> {
    const [agreements, history] = await Promise.all([
      repo.agreements(row.id, db),
      repo.statusHistory(row.id, db),
    ]);
    return {
      ...toPartner(row),
      agreements: agreements.map((a): Agreement => ({
        id: a.id,
        kind: a.kind,
        title: a.title,
        signedOn: a.signedOn,
        signedYear: a.signedYear,
        renewedOn: a.renewedOn,
        expiresOn: a.expiresOn,
        note: a.note,
      })),
      statusHistory: history.map((h): PartnerStatusChange => ({
        from: h.fromStatus,
        to: h.toStatus,
        changedOn: h.changedOn,
        note: h.note,
        recordedAt: h.recordedAt.toISOString(),
      })),
    };
  }
}
