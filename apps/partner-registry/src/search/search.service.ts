import { Injectable } from '@nestjs/common';
import { CursorCodec, invalidCursor, requestContext } from '@sp/platform';
import type { PartnerScope, SearchKind, SearchPage, SearchQuery, SearchResult } from '@sp/types';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { buildSnippet } from './search-snippet';
import { cjkQuery, englishQuery, normalize, searchTerms } from './search-text';
import { type SearchAudience, type SearchHitRow, SearchRepository } from './search.repository';

/** How deep a caller may page (results beyond are rarely what anyone wants). */
const MAX_OFFSET = 1000;
const PEOPLE: SearchKind[] = ['contact', 'faculty-lead'];

const codec = new CursorCodec(
  z.object({ o: z.number().int().min(0).max(MAX_OFFSET), h: z.string() }).strict(),
);

/**
 * `GET /search`: partners, activities and people in one ranked list. Who sees what follows
 * the caller: staff everything; a partner's token only its own partner's partner and
 * activity entries (never people); anyone else public partners and published activities.
 */
@Injectable()
export class SearchService {
  constructor(private readonly repo: SearchRepository) {}

  async search(query: SearchQuery): Promise<SearchPage> {
    const audience = callerAudience();
    const terms = searchTerms(query.q);
    const kinds = allowedKinds(audience, query.kind);
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([query.q, query.kind ?? null]))
      .digest('base64url')
      .slice(0, 16);
    let offset = 0;
    if (query.cursor) {
      const cursor = codec.decode(query.cursor);
      if (cursor.h !== fingerprint)
        throw invalidCursor('was made for another q or kind; ask again without a cursor');
      offset = cursor.o;
    }
    if (kinds.length === 0) return { items: [], nextCursor: null };
    const rows = await this.repo.search({
      english: englishQuery(terms.words),
      cjk: cjkQuery(terms.cjk),
      normalized: normalize(query.q),
      audience,
      kinds: query.kind || audience.kind !== 'staff' ? kinds : undefined,
      offset,
      limit: query.limit + 1,
    });
    const more = rows.length > query.limit && offset + query.limit < MAX_OFFSET;
    return {
      items: rows.slice(0, query.limit).map((row) => toResult(row, terms.cjk, audience)),
      nextCursor: more ? codec.encode({ o: offset + query.limit, h: fingerprint }) : null,
    };
  }
}

const PARTNER_READ_SCOPES: readonly PartnerScope[] = ['registry:read', 'activities:write'];

/**
 * Whom the search answers as. A partner's token sees its partner's own unpublished things only
 * with a scope that reads them elsewhere (`registry:read`, or `activities:write` as the
 * activity routes allow); every other partner token (only `inquiries:write`, say) is answered as
 * the public is.
 */
function callerAudience(): SearchAudience {
  const principal = requestContext.principal();
  if (principal.kind === 'staff') return { kind: 'staff' };
  if (
    principal.kind === 'partner' &&
    PARTNER_READ_SCOPES.some((scope) => principal.scopes.includes(scope))
  )
    return { kind: 'partner', partnerId: principal.partnerId };
  return { kind: 'anonymous' };
}

/** The kinds asked for that the caller may see: people are for staff only. */
function allowedKinds(audience: SearchAudience, asked: SearchKind[] | undefined): SearchKind[] {
  const all: SearchKind[] = asked ?? ['partner', 'activity', 'contact', 'faculty-lead'];
  return audience.kind === 'staff' ? all : all.filter((k) => !PEOPLE.includes(k));
}

function href(row: SearchHitRow, audience: SearchAudience): string {
  switch (row.kind) {
    case 'partner':
      return audience.kind === 'anonymous' ? '/public/partners' : `/partners/${row.entityId}`;
    case 'activity':
      return audience.kind === 'anonymous'
        ? `/public/activities/${row.entityId}`
        : `/activities/${row.entityId}`;
    case 'contact':
      return `/contacts/${row.entityId}`;
    case 'faculty-lead':
      return `/faculty-leads/${row.entityId}`;
  }
}

function toResult(row: SearchHitRow, cjkRuns: string[], audience: SearchAudience): SearchResult {
  const { snippet, highlights } = buildSnippet(row.headline, cjkRuns);
  return {
    kind: row.kind,
    id: row.entityId,
    title: row.title,
    titleJa: row.titleJa,
    partnerId: row.partnerId,
    snippet,
    highlights,
    score: Math.round(row.score * 1e6) / 1e6,
    href: href(row, audience),
  };
}
