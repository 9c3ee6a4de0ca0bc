import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { KYSELY } from '@sp/platform';
import type { SearchKind } from '@sp/types';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { START_MARK, STOP_MARK } from './search-snippet';

/** Who is asking: staff see everything; a partner its own partner's things; anyone the public ones. */
export type SearchAudience =
  { kind: 'staff' } | { kind: 'partner'; partnerId: string } | { kind: 'anonymous' };

export type SearchHitRow = {
  kind: SearchKind;
  entityId: string;
  partnerId: string | null;
  title: string;
  titleJa: string | null;
  headline: string;
  score: number;
};

/** At most this many matches are ranked (see `search`). */
export const CANDIDATES = 500;
/** At most this many matches in a title are ranked besides. */
export const TITLE_CANDIDATES = 200;

const HEADLINE_OPTIONS = `StartSel=${START_MARK}, StopSel=${STOP_MARK}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`;

/**
 * The only code that reads `registry.search_entry` (kept by the triggers of migration 0012).
 * One GIN-indexed `@@` finds the candidates; `ts_rank` (title words weigh more than body
 * words) plus a bonus for a title that is the query, or starts with it, orders them.
 */
@Injectable()
export class SearchRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  async search(options: {
    english: string | null;
    cjk: string | null;
    normalized: string;
    audience: SearchAudience;
    kinds: SearchKind[] | undefined;
    offset: number;
    limit: number;
  }): Promise<SearchHitRow[]> {
    const { english, cjk, audience } = options;
    const englishQuery = english ? sql`to_tsquery('english', ${english})` : null;
    const cjkQuery = cjk ? sql`to_tsquery('simple', ${cjk})` : null;
    const query =
      englishQuery && cjkQuery
        ? sql`(${englishQuery} && ${cjkQuery})`
        : (englishQuery ?? cjkQuery ?? sql`''::tsquery`);

    const visible = [
      audience.kind === 'anonymous' ? sql`e.audience = 'public'` : null,
      audience.kind === 'partner'
        ? sql`e.partner_id = ${audience.partnerId} and e.audience in ('public', 'partner')`
        : null,
      options.kinds ? sql`e.kind in (${sql.join(options.kinds)})` : null,
    ].filter((f) => f !== null);
    const where = (match: RawBuilder<unknown>) => sql.join([match, ...visible], sql` and `);
    const like = likePrefix(options.normalized);
    // The candidates: up to TITLE_CANDIDATES matches in a title (their own GIN index) and up to
    // CANDIDATES matches anywhere, so a word found in every other document costs what a few
    // hundred rows do; a title match is never crowded out by matches in text.
    const q = sql<SearchHitRow>`
      with keys as (
        (select e.kind, e.entity_id from registry.search_entry e
          where ${where(sql`e.title_document @@ ${query}`)} limit ${TITLE_CANDIDATES})
        union
        (select e.kind, e.entity_id from registry.search_entry e
          where ${where(sql`e.document @@ ${query}`)} limit ${CANDIDATES})
      ),
      hits as (
        select e.kind, e.entity_id, e.partner_id, e.title, e.title_ja, e.body,
          (ts_rank(e.document, ${query})
            + case when registry.search_normalize(e.title) = ${options.normalized}
                     or registry.search_normalize(e.title_ja) = ${options.normalized} then 1
                   when registry.search_normalize(e.title) like ${like}
                     or registry.search_normalize(e.title_ja) like ${like} then 0.5
                   else 0 end)::float8 as score
        from keys join registry.search_entry e using (kind, entity_id)
        order by score desc, e.kind, e.entity_id
        offset ${options.offset} limit ${options.limit}
      )
      select kind, entity_id as "entityId", partner_id as "partnerId", title, title_ja as "titleJa",
        score,
        ${englishQuery ? sql`ts_headline('english', body, ${englishQuery}, ${HEADLINE_OPTIONS})` : sql`body`} as headline
      from hits
      order by score desc, kind, entity_id`;
    return (await q.execute(this.db)).rows;
  }
}

/** `LIKE 'text%'` with the text's own wildcards escaped. */
const likePrefix = (text: string): string => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
