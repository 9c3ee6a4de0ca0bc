// The archive-read benchmark's baseline: `GET /symposiums/archive` (the public archive, English)
// served by plain Fastify and `pg`, with nothing else. It does the same work as the symposium
// service for that request, and no less:
//   - the same two queries the service's Kysely code compiles to (the held symposiums newest
//     first, then the published documents of those symposiums in their order);
//   - a pg Pool of the same size, `date` columns kept as strings like @sp/db does;
//   - the same mapping to the ArchiveEntry contract, texts resolved to English with the
//     fallback mark, and the same Content-Language header;
//   - a Fastify response schema, so the body goes through the compiled serializer as well.
// archive-read.mjs checks that both answer the very same bytes before it measures anything.
//
// Environment: PORT, HOST, DATABASE_URL, DATABASE_POOL_MAX (default 10).

import Fastify from 'fastify';
import { baselinePool } from './lib/baseline-pool.mjs';
import { serveBaseline } from './lib/baseline-serve.mjs';

const pool = baselinePool('bench-baseline-archive');

// As the service sends them: each list is one array parameter (`= some($1)`).
const symposiumsSql =
  'select * from "symposium"."symposium" where status = some($1) order by "held_on" desc';
const documentsSql =
  'select * from "symposium"."document" where symposium_id = some($1::uuid[]) and "published" = $2 order by "symposium_id", "position", "created_at", "id"';

/** As the service's Localizer for an English reader: the text, or the Japanese one marked. */
function localizer() {
  const served = new Set();
  const text = (en, ja) => {
    if (en !== null) {
      served.add('en');
      return { text: en, lang: 'en', fallback: false };
    }
    if (ja !== null) {
      served.add('ja');
      return { text: ja, lang: 'ja', fallback: true };
    }
    return null;
  };
  const contentLanguage = () =>
    served.size === 0 ? 'en' : ['en', 'ja'].filter((l) => served.has(l)).join(', ');
  return { text, contentLanguage };
}

const toDocument = (d, l) => ({
  id: d.id,
  kind: d.kind,
  language: d.language,
  title: l.text(d.title, d.title_ja),
  url: d.url,
  file:
    d.storage_key && d.content_type
      ? {
          contentType: d.content_type,
          sizeBytes: Number(d.size_bytes ?? 0),
          fileName: d.file_name,
          href: `/symposiums/${d.symposium_id}/documents/${d.id}/file`,
        }
      : null,
  publishedIn: d.published_in,
  published: d.published,
});

const localized = {
  type: 'object',
  properties: {
    text: { type: 'string' },
    lang: { type: 'string' },
    fallback: { type: 'boolean' },
  },
  required: ['text', 'lang', 'fallback'],
  additionalProperties: false,
};
const nullable = (schema) => ({ anyOf: [schema, { type: 'null' }] });
const nullableType = (type) => ({ type: [type, 'null'] });

// The Archive contract (packages/types), properties in the same order as the service's.
const archiveSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          edition: nullableType('integer'),
          title: localized,
          heldOn: { type: 'string' },
          campus: nullableType('string'),
          venue: nullable(localized),
          format: nullableType('string'),
          status: { type: 'string' },
          participants: nullableType('integer'),
          participantsQualifier: nullableType('string'),
          documents: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                kind: { type: 'string' },
                language: { type: 'string' },
                title: localized,
                url: nullableType('string'),
                file: nullable({
                  type: 'object',
                  properties: {
                    contentType: { type: 'string' },
                    sizeBytes: { type: 'integer' },
                    fileName: nullableType('string'),
                    href: { type: 'string' },
                  },
                  required: ['contentType', 'sizeBytes', 'fileName', 'href'],
                  additionalProperties: false,
                }),
                publishedIn: nullableType('string'),
                published: { type: 'boolean' },
              },
              required: [
                'id',
                'kind',
                'language',
                'title',
                'url',
                'file',
                'publishedIn',
                'published',
              ],
              additionalProperties: false,
            },
          },
        },
        required: [
          'id',
          'edition',
          'title',
          'heldOn',
          'campus',
          'venue',
          'format',
          'status',
          'participants',
          'participantsQualifier',
          'documents',
        ],
        additionalProperties: false,
      },
    },
  },
  required: ['items'],
  additionalProperties: false,
};

const app = Fastify({ logger: false });

app.get(
  '/symposiums/archive',
  { schema: { response: { 200: archiveSchema } } },
  async (_request, reply) => {
    const { rows } = await pool.query(symposiumsSql, [['held', 'report-published']]);
    const ids = rows.map((r) => r.id);
    const documents = ids.length ? (await pool.query(documentsSql, [ids, true])).rows : [];
    const bySymposium = Map.groupBy(documents, (d) => d.symposium_id);
    const l = localizer();
    const items = rows.map((s) => ({
      id: s.id,
      edition: s.edition,
      title: l.text(s.title_en, s.title_ja),
      heldOn: s.held_on,
      campus: s.campus,
      venue: l.text(s.venue_en, s.venue_ja),
      format: s.format,
      status: s.status,
      participants: s.participants,
      participantsQualifier: s.participants_qualifier,
      documents: (bySymposium.get(s.id) ?? []).map((d) => toDocument(d, l)),
    }));
    void reply.header('content-language', l.contentLanguage()).header('vary', 'Accept-Language');
    return { items };
  },
);

app.get('/health/ready', async () => {
  await pool.query('select 1');
  return { status: 'ok' };
});

await serveBaseline(app, pool);
