import type { PublicActivity } from '@sp/types';
import { Feed } from 'feed';

const TITLE = 'UTokyo Strategic Partnerships: Recent Activities';
const AUTHOR = 'The University of Tokyo, Division of International Affairs';

/**
 * Characters XML 1.0 forbids (C0 controls but tab and line ends, U+FFFE, U+FFFF, unpaired
 * surrogates): one of them, such as the U+000B Word pastes for a line break, made the whole
 * feed unreadable to every reader.
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const xmlText = (text: string): string => text.replace(NOT_XML, '');

/**
 * Plain text as the `type="html"` the feed library declares titles and summaries to be: a
 * reader shows `R&D <Phase 2>` as typed, rather than taking `<Phase 2>` for markup.
 */
const htmlText = (text: string): string =>
  xmlText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The "Recent Activities" as an Atom 1.0 document: feed id, title, `updated` (the newest
 * entry's, so an unchanged feed keeps its date) and `link rel="self"`; each entry with its
 * id, title, updated, link to its public record and summary. `baseUrl` is configured, never
 * taken from the request.
 */
export function activityFeed(baseUrl: string, activities: PublicActivity[], now: Date): string {
  const newest = activities.reduce<Date | null>((latest, a) => {
    const at = new Date(a.updatedAt);
    return latest && latest >= at ? latest : at;
  }, null);
  const feed = new Feed({
    id: `${baseUrl}/public/activities.atom`,
    title: TITLE,
    link: `${baseUrl}/public/activities`,
    feedLinks: { atom: `${baseUrl}/public/activities.atom` },
    updated: newest ?? now,
    language: 'en',
    author: { name: AUTHOR },
    copyright: 'The University of Tokyo',
    generator: false,
  });
  for (const a of activities) {
    const partner = a.partner.nameEn;
    const period = [a.startsOn, a.endsOn].filter(Boolean).join(' – ');
    const summary =
      a.summaryEn ?? a.summaryJa ?? `${a.titleEn} (${partner}${period ? `, ${period}` : ''})`;
    feed.addItem({
      id: `${baseUrl}/public/activities/${a.id}`,
      title: htmlText(a.titleJa ? `${a.titleEn} / ${a.titleJa}` : a.titleEn),
      link: `${baseUrl}/public/activities/${a.id}`,
      date: new Date(a.updatedAt),
      published: new Date(a.publishedAt),
      description: htmlText(summary),
      category: [{ name: a.type, term: a.type }],
      author: [{ name: xmlText(partner) }],
    });
  }
  return feed.atom1();
}
