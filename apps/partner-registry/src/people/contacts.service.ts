import { Injectable } from '@nestjs/common';
import { AppError, AuditLog, checkVersion, type ExpectedVersion } from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type {
  Contact,
  ContactCreate,
  ContactListQuery,
  ContactPage,
  ContactUpdate,
} from '@sp/types';
import { PartnersService } from '../partners/partners.service';
import { toContact, toContactEvent } from './contacts.mapper';
import { ContactsRepository } from './contacts.repository';
import { changedFields, decodeNameCursor, pageOf } from './name-cursor';

/**
 * Partner-side contacts. The partner is looked up through PartnersService, which applies the
 * caller's bound partner: a partner's token reaches only its own partner's contacts (another
 * partner's are 404, as if they did not exist).
 */
@Injectable()
export class ContactsService {
  constructor(
    private readonly repo: ContactsRepository,
    private readonly partners: PartnersService,
    private readonly audit: AuditLog,
  ) {}

  async listForPartner(partnerId: string, query: ContactListQuery): Promise<ContactPage> {
    await this.partners.get(partnerId);
    const cursor = query.cursor ? decodeNameCursor(query.cursor) : undefined;
    const rows = await this.repo.listForPartner(partnerId, query.limit, cursor);
    return pageOf(rows, query.limit, toContact);
  }

  async get(id: string): Promise<Contact> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('contact', id);
    return toContact(row);
  }

  async create(partnerId: string, input: ContactCreate): Promise<Contact> {
    await this.partners.get(partnerId);
    return this.repo.transaction(async (trx) => {
      const row = await this.repo.insert(trx, {
        partnerId,
        nameEn: input.nameEn,
        nameJa: input.nameJa ?? null,
        role: input.role ?? null,
        email: input.email,
        phone: input.phone ?? null,
        languages: input.languages,
        note: input.note ?? null,
      });
      const contact = toContact(row);
      await this.audit.record(trx, {
        entity: 'contact',
        entityId: row.id,
        action: 'create',
        after: contact,
      });
      await writeOutbox(trx, 'registry', {
        name: 'contact.created',
        payload: toContactEvent(row, changedFields(input)),
      });
      return contact;
    });
  }

  update(id: string, patch: ContactUpdate, expected: ExpectedVersion): Promise<Contact> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('contact', id);
      checkVersion(current.version, expected, 'contact');
      const row = await this.repo.update(trx, id, patch);
      const contact = toContact(row);
      await this.audit.record(trx, {
        entity: 'contact',
        entityId: id,
        action: 'update',
        before: toContact(current),
        after: contact,
      });
      await writeOutbox(trx, 'registry', {
        name: 'contact.updated',
        payload: toContactEvent(row, changedFields(patch)),
      });
      return contact;
    });
  }

  /** Deleted for good (personal data); the audit row keeps what was deleted and by whom. */
  delete(id: string, expected: ExpectedVersion): Promise<void> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('contact', id);
      checkVersion(current.version, expected, 'contact');
      await this.repo.delete(trx, id);
      await this.audit.record(trx, {
        entity: 'contact',
        entityId: id,
        action: 'delete',
        before: toContact(current),
      });
      await writeOutbox(trx, 'registry', {
        name: 'contact.deleted',
        payload: toContactEvent(current, []),
      });
    });
  }
}
