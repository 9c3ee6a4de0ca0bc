import { Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { AppError, AuditLog, checkVersion, type ExpectedVersion } from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type {
  FacultyLead,
  FacultyLeadCreate,
  FacultyLeadListQuery,
  FacultyLeadPage,
  FacultyLeadUpdate,
} from '@sp/types';
import type { Transaction } from 'kysely';
import { toFacultyLead, toFacultyLeadEvent } from './faculty-leads.mapper';
import { type FacultyLeadRow, FacultyLeadsRepository } from './faculty-leads.repository';
import { changedFields, decodeNameCursor, pageOf } from './name-cursor';

/** UTokyo faculty leads and the partners each leads with. Staff only (personal data). */
@Injectable()
export class FacultyLeadsService {
  constructor(
    private readonly repo: FacultyLeadsRepository,
    private readonly audit: AuditLog,
  ) {}

  async list(query: FacultyLeadListQuery): Promise<FacultyLeadPage> {
    const cursor = query.cursor ? decodeNameCursor(query.cursor) : undefined;
    const rows = await this.repo.list(query, cursor);
    const partners = await this.repo.partnersOf(rows.slice(0, query.limit).map((r) => r.id));
    return pageOf(rows, query.limit, (row) => toFacultyLead(row, partners));
  }

  async get(id: string): Promise<FacultyLead> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('faculty lead', id);
    return this.withPartners(row);
  }

  create(input: FacultyLeadCreate): Promise<FacultyLead> {
    return this.repo.transaction(async (trx) => {
      const row = await this.repo.insert(trx, {
        nameEn: input.nameEn,
        nameJa: input.nameJa ?? null,
        department: input.department,
        email: input.email,
        phone: input.phone ?? null,
      });
      await this.repo.setPartners(trx, row.id, input.partnerIds);
      const lead = await this.withPartners(row, trx);
      await this.audit.record(trx, {
        entity: 'faculty-lead',
        entityId: row.id,
        action: 'create',
        after: lead,
      });
      await writeOutbox(trx, 'registry', {
        name: 'faculty-lead.created',
        payload: toFacultyLeadEvent(lead, changedFields(input)),
      });
      return lead;
    });
  }

  /** Changes the given fields; `partnerIds` replaces the set of partners the lead leads with. */
  update(id: string, patch: FacultyLeadUpdate, expected: ExpectedVersion): Promise<FacultyLead> {
    const { partnerIds, ...fields } = patch;
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('faculty lead', id);
      checkVersion(current.version, expected, 'faculty lead');
      const before = await this.withPartners(current, trx);
      // Raises the version also when only the links change: they are part of the lead.
      const row = await this.repo.update(trx, id, fields);
      if (partnerIds) await this.repo.setPartners(trx, id, partnerIds);
      const lead = await this.withPartners(row, trx);
      await this.audit.record(trx, {
        entity: 'faculty-lead',
        entityId: id,
        action: 'update',
        before,
        after: lead,
      });
      await writeOutbox(trx, 'registry', {
        name: 'faculty-lead.updated',
        payload: toFacultyLeadEvent(lead, changedFields(patch)),
      });
      return lead;
    });
  }

  private async withPartners(row: FacultyLeadRow, trx?: Transaction<DB>): Promise<FacultyLead> {
    return toFacultyLead(row, await this.repo.partnersOf([row.id], trx));
  }
}
