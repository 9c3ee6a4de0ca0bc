import { Injectable } from '@nestjs/common';
import { AppError, requestContext } from '@sp/platform';
import type {
  Campus,
  DocumentKind,
  Language,
  Symposium,
  SymposiumDocument,
  SymposiumFormat,
  SymposiumList,
  SymposiumListQuery,
  SymposiumStatus,
} from '@sp/types';
import { type DocumentRow, SymposiumRepository, type SymposiumRow } from './symposiums.repository';

const toDocument = (d: DocumentRow): SymposiumDocument => ({
  id: d.id,
  kind: d.kind as DocumentKind,
  language: d.language as Language,
  title: d.title,
  url: d.url,
  publishedIn: d.publishedIn,
  published: d.published,
});

/** The public and partners see published documents only; staff see drafts too. */
const visible = (documents: DocumentRow[]): DocumentRow[] =>
  requestContext.principal().kind === 'staff' ? documents : documents.filter((d) => d.published);

const toSymposium = (s: SymposiumRow, documents: DocumentRow[]): Symposium => ({
  id: s.id,
  edition: s.edition,
  titleEn: s.titleEn,
  titleJa: s.titleJa,
  heldOn: s.heldOn,
  campus: s.campus as Campus | null,
  venue: s.venue,
  format: s.format as SymposiumFormat | null,
  streamUrl: s.streamUrl,
  status: s.status as SymposiumStatus,
  participants: s.participants,
  participantsQualifier: s.participantsQualifier as Symposium['participantsQualifier'],
  organiser: s.organiser,
  note: s.note,
  documents: visible(documents).map(toDocument),
});

@Injectable()
export class SymposiumsService {
  constructor(private readonly repo: SymposiumRepository) {}

  async list(query: SymposiumListQuery): Promise<SymposiumList> {
    const rows = await this.repo.list(query);
    const documents = Map.groupBy(
      await this.repo.documentsOf(rows.map((r) => r.id)),
      (d) => d.symposiumId,
    );
    return { items: rows.map((r) => toSymposium(r, documents.get(r.id) ?? [])) };
  }

  async get(id: string): Promise<Symposium> {
    const row = await this.repo.findById(id);
    if (!row) throw AppError.notFound('symposium', id);
    return toSymposium(row, await this.repo.documentsOf([id]));
  }
}
