import type { SymposiumTable } from '@sp/db';
import type {
  ArchiveEntry,
  BilingualText,
  Symposium,
  SymposiumRecord,
  SymposiumSnapshot,
} from '@sp/types';
import type { Selectable } from 'kysely';
import type { Localizer } from '../common/language';
import { type DocumentRow, toDocument, toDocumentRecord } from '../documents/documents.mapper';
import { nextStatuses } from './symposium-status';

export type SymposiumRow = Selectable<SymposiumTable>;

const bilingual = (en: string | null, ja: string | null): BilingualText => ({ en, ja });

/** `HH:MM:SS` from a `time` column → `HH:MM`. */
const clock = (time: string | null): string | null => (time === null ? null : time.slice(0, 5));

export const titleOf = (s: SymposiumRow): BilingualText => bilingual(s.titleEn, s.titleJa);

const common = (s: SymposiumRow) => ({
  id: s.id,
  edition: s.edition,
  heldOn: s.heldOn,
  startsAt: clock(s.startsAt),
  endsAt: clock(s.endsAt),
  timeZone: s.timeZone,
  campus: s.campus,
  format: s.format,
  streamUrl: s.streamUrl,
  expectedAttendance: s.expectedAttendance,
  status: s.status,
  participants: s.participants,
  participantsQualifier: s.participantsQualifier,
  organiser: s.organiser,
});

/** A symposium as stored, for staff: both languages of every text. */
export const toSymposiumRecord = (s: SymposiumRow, documents: DocumentRow[]): SymposiumRecord => ({
  ...common(s),
  title: titleOf(s),
  description: bilingual(s.descriptionEn, s.descriptionJa),
  venue: bilingual(s.venueEn, s.venueJa),
  note: bilingual(s.noteEn, s.noteJa),
  nextStatuses: [...nextStatuses[s.status]],
  version: Number(s.version),
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
  documents: documents.map(toDocumentRecord),
});

/** A symposium in the reader's language. */
export const toSymposium = (
  s: SymposiumRow,
  documents: DocumentRow[],
  l: Localizer,
): Symposium => ({
  ...common(s),
  title: l.required(titleOf(s)),
  description: l.text(bilingual(s.descriptionEn, s.descriptionJa)),
  venue: l.text(bilingual(s.venueEn, s.venueJa)),
  note: l.text(bilingual(s.noteEn, s.noteJa)),
  documents: documents.map((d) => toDocument(d, l)),
});

/** An archive entry: what was held, where, and its published documents. */
export const toArchiveEntry = (
  s: SymposiumRow,
  documents: DocumentRow[],
  l: Localizer,
): ArchiveEntry => ({
  id: s.id,
  edition: s.edition,
  title: l.required(titleOf(s)),
  heldOn: s.heldOn,
  campus: s.campus,
  venue: l.text(bilingual(s.venueEn, s.venueJa)),
  format: s.format,
  status: s.status,
  participants: s.participants,
  participantsQualifier: s.participantsQualifier,
  documents: documents.map((d) => toDocument(d, l)),
});

/** What other services hear of a symposium (topic `symposium-events`). */
export const toSymposiumSnapshot = (s: SymposiumRow): SymposiumSnapshot => ({
  id: s.id,
  edition: s.edition,
  title: titleOf(s),
  heldOn: s.heldOn,
  status: s.status,
  version: Number(s.version),
});
