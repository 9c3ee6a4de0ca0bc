import { Injectable } from '@nestjs/common';
import type { DB, SessionTable } from '@sp/db';
import {
  actorOf,
  AppError,
  AuditLog,
  checkVersion,
  type ExpectedVersion,
  requestContext,
} from '@sp/platform';
import { writeOutbox } from '@sp/queue';
import type {
  Programme,
  ProgrammeDraft,
  SessionCreate,
  SessionPersonInput,
  SessionRecord,
  SessionUpdate,
} from '@sp/types';
import type { Transaction, Updateable } from 'kysely';
import { checkHasText, mergeBilingual, toBilingual } from '../common/bilingual';
import type { Localizer } from '../common/language';
import { SymposiumsService } from '../symposiums/symposiums.service';
import { programmeCalendar } from './programme-calendar';
import {
  publishedSessions,
  toProgramme,
  toProgrammeDraft,
  toSessionRecord,
} from './programme.mapper';
import { ProgrammeRepository, type SessionRow } from './programme.repository';

const personValues = (p: SessionPersonInput) => {
  const name = toBilingual(p.name);
  const affiliation = toBilingual(p.affiliation);
  return {
    role: p.role,
    nameEn: name.en,
    nameJa: name.ja,
    affiliationEn: affiliation.en,
    affiliationJa: affiliation.ja,
    partnerId: p.partnerId ?? null,
  };
};

/**
 * The programme: staff edit sessions (the draft) and publish it; the public reads the
 * published snapshot only, as JSON or iCalendar. Room overlaps are refused by the database.
 */
@Injectable()
export class ProgrammeService {
  constructor(
    private readonly repo: ProgrammeRepository,
    private readonly symposiums: SymposiumsService,
    private readonly audit: AuditLog,
  ) {}

  async draft(symposiumId: string): Promise<ProgrammeDraft> {
    const symposium = await this.symposiums.visible(symposiumId);
    const [sessions, publication] = await Promise.all([
      this.sessionRecords(symposiumId),
      this.repo.publication(symposiumId),
    ]);
    return toProgrammeDraft(symposium, sessions, publication);
  }

  /** The published programme; 404 until staff publish one. */
  async published(symposiumId: string, l: Localizer): Promise<Programme> {
    const symposium = await this.symposiums.visible(symposiumId);
    const publication = await this.repo.publication(symposiumId);
    if (!publication)
      throw new AppError('not-found', `symposium ${symposiumId} has no published programme yet`);
    return toProgramme(symposium, publication, l);
  }

  async calendar(symposiumId: string, l: Localizer, host: string): Promise<string> {
    return programmeCalendar(await this.published(symposiumId, l), host);
  }

  createSession(symposiumId: string, input: SessionCreate): Promise<SessionRecord> {
    const title = toBilingual(input.title);
    const description = toBilingual(input.description);
    return this.repo.transaction(async (trx) => {
      const row = await this.repo.insertSession(trx, {
        symposiumId,
        kind: input.kind,
        titleEn: title.en,
        titleJa: title.ja,
        descriptionEn: description.en,
        descriptionJa: description.ja,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        room: input.room ?? null,
      });
      await this.repo.replacePeople(trx, row.id, (input.people ?? []).map(personValues));
      const record = await this.sessionRecord(row, trx);
      await this.audit.record(trx, {
        entity: 'symposium-session',
        entityId: row.id,
        action: 'create',
        after: record,
      });
      return record;
    });
  }

  updateSession(
    symposiumId: string,
    id: string,
    patch: SessionUpdate,
    expected: ExpectedVersion,
  ): Promise<SessionRecord> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findSessionForUpdate(trx, symposiumId, id);
      if (!current) throw AppError.notFound('session', id);
      checkVersion(current.version, expected, 'session');
      const before = await this.sessionRecord(current, trx);
      const { title, description, people, ...fields } = patch;
      const values: Updateable<SessionTable> = { ...fields };
      if (title) {
        const t = mergeBilingual(before.title, title);
        checkHasText(t, 'title');
        Object.assign(values, { titleEn: t.en, titleJa: t.ja });
      }
      if (description) {
        const d = mergeBilingual(before.description, description);
        Object.assign(values, { descriptionEn: d.en, descriptionJa: d.ja });
      }
      const row = await this.repo.updateSession(trx, current, values);
      if (people) await this.repo.replacePeople(trx, id, people.map(personValues));
      const record = await this.sessionRecord(row, trx);
      await this.audit.record(trx, {
        entity: 'symposium-session',
        entityId: id,
        action: 'update',
        before,
        after: record,
      });
      return record;
    });
  }

  removeSession(symposiumId: string, id: string, expected: ExpectedVersion): Promise<void> {
    return this.repo.transaction(async (trx) => {
      const current = await this.repo.findSessionForUpdate(trx, symposiumId, id);
      if (!current) throw AppError.notFound('session', id);
      checkVersion(current.version, expected, 'session');
      const before = await this.sessionRecord(current, trx);
      await this.repo.deleteSession(trx, id);
      await this.audit.record(trx, {
        entity: 'symposium-session',
        entityId: id,
        action: 'delete',
        before,
      });
    });
  }

  /** Publishes the draft as it is now: the public sees this snapshot until the next publish. */
  async publish(symposiumId: string): Promise<ProgrammeDraft> {
    const symposium = await this.symposiums.visible(symposiumId);
    return this.repo.transaction(async (trx) => {
      // Two publishes at once: without the lock, the one that read the sessions first could
      // commit last and put an older programme before the public.
      await this.repo.lockForPublish(trx, symposiumId);
      const sessions = await this.sessionRecords(symposiumId, trx);
      const before = await this.repo.publication(symposiumId, trx);
      const publication = await this.repo.publish(
        trx,
        symposiumId,
        sessions,
        actorOf(requestContext.principal()).id,
      );
      await this.audit.record(trx, {
        entity: 'symposium-programme',
        entityId: symposiumId,
        action: 'publish',
        before: before
          ? { sessions: publishedSessions(before).length, publishedAt: before.publishedAt }
          : undefined,
        after: { sessions: sessions.length, publishedAt: publication.publishedAt },
      });
      await writeOutbox(trx, 'symposium', {
        name: 'symposium.programme-published',
        payload: {
          symposiumId,
          sessions: sessions.length,
          publishedAt: publication.publishedAt.toISOString(),
        },
      });
      return toProgrammeDraft(symposium, sessions, publication);
    });
  }

  private async sessionRecords(
    symposiumId: string,
    trx?: Transaction<DB>,
  ): Promise<SessionRecord[]> {
    const sessions = await this.repo.sessionsOf(symposiumId, trx);
    const people = Map.groupBy(
      await this.repo.peopleOf(
        sessions.map((s) => s.id),
        trx,
      ),
      (p) => p.sessionId,
    );
    return sessions.map((s) => toSessionRecord(s, people.get(s.id) ?? []));
  }

  private async sessionRecord(row: SessionRow, trx: Transaction<DB>): Promise<SessionRecord> {
    return toSessionRecord(row, await this.repo.peopleOf([row.id], trx));
  }
}
