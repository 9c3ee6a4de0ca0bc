import { Injectable } from '@nestjs/common';
import type { DB, SymposiumTable } from '@sp/db';
import { AppError, AuditLog, checkVersion, type ExpectedVersion } from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type {
  Archive,
  Symposium,
  SymposiumCreate,
  SymposiumList,
  SymposiumListQuery,
  SymposiumRecord,
  SymposiumStatus,
  SymposiumUpdate,
} from '@sp/types';
import type { Transaction, Updateable } from 'kysely';
import { checkHasText, mergeBilingual, toBilingual } from '../common/bilingual';
import { isStaff } from '../common/caller';
import type { Localizer } from '../common/language';
import { DocumentsService } from '../documents/documents.service';
import { checkStatusTransition } from './symposium-status';
import {
  type SymposiumRow,
  titleOf,
  toArchiveEntry,
  toSymposium,
  toSymposiumRecord,
  toSymposiumSnapshot,
} from './symposiums.mapper';
import { archiveStatuses, publicStatuses, SymposiumsRepository } from './symposiums.repository';

/** Staff (any role) see planned symposiums and draft documents; the public and partners do not. */

/**
 * Symposiums: the public's bilingual view, staff's stored view, and guarded status moves. The
 * audit entry and the `symposium-events` outbox message commit with each change.
 */
@Injectable()
export class SymposiumsService {
  constructor(
    private readonly repo: SymposiumsRepository,
    private readonly documents: DocumentsService,
    private readonly audit: AuditLog,
  ) {}

  async list(query: SymposiumListQuery, l: Localizer): Promise<SymposiumList> {
    const staff = isStaff();
    const rows = await this.repo.list(query, staff ? undefined : publicStatuses);
    const documents = await this.documentsOf(rows, !staff);
    return { items: rows.map((r) => toSymposium(r, documents.get(r.id) ?? [], l)) };
  }

  /** What took place, newest first, with the published documents only (whoever asks). */
  async archive(l: Localizer): Promise<Archive> {
    const rows = await this.repo.list({ order: 'desc' }, archiveStatuses);
    const documents = await this.documentsOf(rows, true);
    return { items: rows.map((r) => toArchiveEntry(r, documents.get(r.id) ?? [], l)) };
  }

  async get(id: string, l: Localizer): Promise<Symposium> {
    const staff = isStaff();
    const row = await this.repo.findById(id, staff ? undefined : publicStatuses);
    if (!row) throw AppError.notFound('symposium', id);
    return toSymposium(row, await this.documents.listFor([id], !staff), l);
  }

  async record(id: string): Promise<SymposiumRecord> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('symposium', id);
    return toSymposiumRecord(row, await this.documents.listFor([id], false));
  }

  /**
   * The symposium a programme or document belongs to, as its reader may see it (404 for the
   * public on a planned one). Other modules call this.
   */
  async visible(id: string, trx?: Transaction<DB>): Promise<SymposiumRow> {
    const row = await this.repo.findById(id, isStaff() ? undefined : publicStatuses, trx);
    if (!row) throw AppError.notFound('symposium', id);
    return row;
  }

  /** A new symposium starts `planned`. A taken edition or day is the repository's 409. */
  create(input: SymposiumCreate): Promise<SymposiumRecord> {
    const title = toBilingual(input.title);
    const description = toBilingual(input.description);
    const venue = toBilingual(input.venue);
    const note = toBilingual(input.note);
    return this.repo.transaction(async (trx) => {
      const row = await this.repo.insert(trx, {
        edition: input.edition ?? null,
        titleEn: title.en,
        titleJa: title.ja,
        descriptionEn: description.en,
        descriptionJa: description.ja,
        heldOn: input.heldOn,
        startsAt: input.startsAt ?? null,
        endsAt: input.endsAt ?? null,
        timeZone: input.timeZone ?? 'Asia/Tokyo',
        campus: input.campus ?? null,
        venueEn: venue.en,
        venueJa: venue.ja,
        format: input.format ?? null,
        streamUrl: input.streamUrl ?? null,
        expectedAttendance: input.expectedAttendance ?? null,
        status: 'planned',
        participants: input.participants ?? null,
        participantsQualifier: input.participantsQualifier ?? null,
        organiser: input.organiser ?? null,
        noteEn: note.en,
        noteJa: note.ja,
      });
      const record = toSymposiumRecord(row, []);
      await this.audit.record(trx, {
        entity: 'symposium',
        entityId: row.id,
        action: 'create',
        after: record,
      });
      await writeOutbox(trx, 'symposium', {
        name: 'symposium.created',
        payload: toSymposiumSnapshot(row),
      });
      return record;
    });
  }

  /** Changes the given fields (not the status: see `changeStatus`). Needs the version read. */
  update(id: string, patch: SymposiumUpdate, expected: ExpectedVersion): Promise<SymposiumRecord> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('symposium', id);
      checkVersion(current.version, expected, 'symposium');
      const { title, description, venue, note, ...fields } = patch;
      const values: Updateable<SymposiumTable> = { ...fields };
      if (title) {
        const merged = mergeBilingual(titleOf(current), title);
        checkHasText(merged, 'title');
        Object.assign(values, { titleEn: merged.en, titleJa: merged.ja });
      }
      if (description) {
        const d = mergeBilingual(
          { en: current.descriptionEn, ja: current.descriptionJa },
          description,
        );
        Object.assign(values, { descriptionEn: d.en, descriptionJa: d.ja });
      }
      if (venue) {
        const v = mergeBilingual({ en: current.venueEn, ja: current.venueJa }, venue);
        Object.assign(values, { venueEn: v.en, venueJa: v.ja });
      }
      if (note) {
        const n = mergeBilingual({ en: current.noteEn, ja: current.noteJa }, note);
        Object.assign(values, { noteEn: n.en, noteJa: n.ja });
      }
      const row = await this.repo.update(trx, id, values);
      const documents = await this.documents.listFor([id], false, trx);
      const record = toSymposiumRecord(row, documents);
      await this.audit.record(trx, {
        entity: 'symposium',
        entityId: id,
        action: 'update',
        before: toSymposiumRecord(current, documents),
        after: record,
      });
      await writeOutbox(trx, 'symposium', {
        name: 'symposium.updated',
        payload: toSymposiumSnapshot(row),
      });
      return record;
    });
  }

  /** One guarded step (`symposium-status.ts`): an illegal one is a 409 naming the allowed ones. */
  changeStatus(
    id: string,
    status: SymposiumStatus,
    expected: ExpectedVersion,
  ): Promise<SymposiumRecord> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findByIdForUpdate(trx, id);
      if (!current) throw AppError.notFound('symposium', id);
      checkVersion(current.version, expected, 'symposium');
      checkStatusTransition(current.status, status);
      const row = await this.repo.update(trx, id, { status });
      const documents = await this.documents.listFor([id], false, trx);
      await this.audit.record(trx, {
        entity: 'symposium',
        entityId: id,
        action: 'update-status',
        before: { status: current.status },
        after: { status: row.status },
      });
      await writeOutbox(trx, 'symposium', {
        name: 'symposium.status-changed',
        payload: { ...toSymposiumSnapshot(row), previousStatus: current.status },
      });
      return toSymposiumRecord(row, documents);
    });
  }

  private async documentsOf(rows: SymposiumRow[], publishedOnly: boolean) {
    const documents = await this.documents.listFor(
      rows.map((r) => r.id),
      publishedOnly,
    );
    return Map.groupBy(documents, (d) => d.symposiumId);
  }
}
