import { Injectable } from '@nestjs/common';
import { AppError, requestContext } from '@sp/platform';
import type { Symposium, SymposiumDocument, SymposiumList, SymposiumListQuery } from '@sp/types';
import { type DocumentRow, SymposiumsRepository, type SymposiumRow } from './symposiums.repository';

const toDocument = (d: DocumentRow): SymposiumDocument => ({
  id: d.id,
  kind: d.kind,
  language: d.language,
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
  campus: s.campus,
  venue: s.venue,
  format: s.format,
  streamUrl: s.streamUrl,
  status: s.status,
  participants: s.participants,
  participantsQualifier: s.participantsQualifier,
  organiser: s.organiser,
  note: s.note,
  documents: visible(documents).map(toDocument),
});

@Injectable()
export class SymposiumsService {
  constructor(private readonly repo: SymposiumsRepository) {}

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
