import { Inject, Injectable } from '@nestjs/common';
import type { DB } from '@sp/db';
import { KYSELY } from '@sp/platform';
import type { SearchKind } from '@sp/types';
import { type Kysely, sql } from 'kysely';
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
export const CANDIDATES = 2000;

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

    const q = this.db
      // The candidates: the matches the caller may see, at most CANDIDATES of them, so a word
      // in every other document costs what 2,000 do. Only the rarest-quality loss: for such a
      // word the best of the first 2,000 matches is ranked, not of all of them.
      .with('candidates', (db) => {
        let candidates = db
          .selectFrom('registry.searchEntry as e')
          .select([
            'e.kind',
            'e.entityId',
            'e.partnerId',
            'e.title',
            'e.titleJa',
            'e.body',
            'e.document',
          ])
          .where(sql<boolean>`e.document @@ ${query}`);
        if (audience.kind === 'anonymous')
          candidates = candidates.where('e.audience', '=', 'public');
        if (audience.kind === 'partner')
          candidates = candidates
            .where('e.partnerId', '=', audience.partnerId)
            .where('e.audience', 'in', ['public', 'partner']);
        if (options.kinds) candidates = candidates.where('e.kind', 'in', options.kinds);
        return candidates.limit(CANDIDATES);
      })
      .with('hits', (db) =>
        db
          .selectFrom('candidates as e')
          .select([
            'e.kind',
            'e.entityId',
            'e.partnerId',
            'e.title',
            'e.titleJa',
            'e.body',
            sql<number>`ts_rank(e.document, ${query})
              + case when registry.search_normalize(e.title) = ${options.normalized}
                       or registry.search_normalize(e.title_ja) = ${options.normalized} then 1
                     when registry.search_normalize(e.title) like ${likePrefix(options.normalized)}
                       or registry.search_normalize(e.title_ja) like ${likePrefix(options.normalized)} then 0.5
                     else 0 end`.as('score'),
          ])
          .orderBy('score', 'desc')
          .orderBy('e.kind')
          .orderBy('e.entityId')
          .offset(options.offset)
          .limit(options.limit),
      )
      .selectFrom('hits')
      .select([
        'hits.kind',
        'hits.entityId',
        'hits.partnerId',
        'hits.title',
        'hits.titleJa',
        sql<number>`hits.score::float8`.as('score'),
        // The headline only for the page's rows: it is the expensive part.
        (englishQuery
          ? sql<string>`ts_headline('english', hits.body, ${englishQuery}, ${HEADLINE_OPTIONS})`
          : sql<string>`hits.body`
        ).as('headline'),
      ])
      .orderBy('score', 'desc')
      .orderBy('hits.kind')
      .orderBy('hits.entityId')
      .$castTo<SearchHitRow>();
    return q.execute();
  }
}

/** `LIKE 'text%'` with the text's own wildcards escaped. */
const likePrefix = (text: string): string => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
