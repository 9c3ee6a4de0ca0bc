import {
  type Programme,
  type ProgrammeDraft,
  type ProgrammeSession,
  type SessionPersonRecord,
  type SessionRecord,
  sessionRecordSchema,
} from '@sp/types';
import { z } from 'zod';
import type { Localizer } from '../common/language';
import type { SymposiumRow } from '../symposiums/symposiums.mapper';
import { titleOf } from '../symposiums/symposiums.mapper';
import type { PublicationRow, SessionPersonRow, SessionRow } from './programme.repository';

const toPerson = (p: SessionPersonRow): SessionPersonRecord => ({
  role: p.role,
  name: { en: p.nameEn, ja: p.nameJa },
  affiliation: { en: p.affiliationEn, ja: p.affiliationJa },
  partner:
    p.partnerId && p.partnerNameEn !== null
      ? {
          id: p.partnerId,
          name: { en: p.partnerNameEn, ja: p.partnerNameJa },
          country: p.partnerCountry ?? '',
        }
      : null,
});

/** A session as stored (staff), with its people in order. */
export const toSessionRecord = (s: SessionRow, people: SessionPersonRow[]): SessionRecord => ({
  id: s.id,
  symposiumId: s.symposiumId,
  kind: s.kind,
  title: { en: s.titleEn, ja: s.titleJa },
  description: { en: s.descriptionEn, ja: s.descriptionJa },
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
  room: s.room,
  people: people.map(toPerson),
  version: Number(s.version),
});

export const toProgrammeDraft = (
  symposium: SymposiumRow,
  sessions: SessionRecord[],
  publication: PublicationRow | undefined,
): ProgrammeDraft => ({
  symposiumId: symposium.id,
  timeZone: symposium.timeZone,
  publishedAt: publication ? publication.publishedAt.toISOString() : null,
  sessions,
});

const publishedSessionsSchema = z.array(sessionRecordSchema);

/** The sessions of a publication, read through their contract (the column is JSON). */
export const publishedSessions = (publication: PublicationRow): SessionRecord[] =>
  publishedSessionsSchema.parse(publication.sessions);

/** A published session in the reader's language. */
export const toProgrammeSession = (s: SessionRecord, l: Localizer): ProgrammeSession => ({
  id: s.id,
  kind: s.kind,
  title: l.required(s.title),
  description: l.text(s.description),
  startsAt: s.startsAt,
  endsAt: s.endsAt,
  room: s.room,
  people: s.people.map((p) => ({
    role: p.role,
    name: l.required(p.name),
    affiliation: l.text(p.affiliation),
    partner: p.partner
      ? { id: p.partner.id, name: l.required(p.partner.name), country: p.partner.country }
      : null,
  })),
});

/** The published programme (the snapshot taken when publishing) in the reader's language. */
export const toProgramme = (
  symposium: SymposiumRow,
  publication: PublicationRow,
  l: Localizer,
): Programme => ({
  symposiumId: symposium.id,
  title: l.required(titleOf(symposium)),
  timeZone: symposium.timeZone,
  publishedAt: publication.publishedAt.toISOString(),
  language: l.language,
  sessions: publishedSessions(publication).map((s) => toProgrammeSession(s, l)),
});
