// The activity-review benchmark's baseline: a partner's activity report and its review served by
// plain Fastify and `pg`, doing the same database work as the partner registry for each of the
// three requests, and nothing on top (no Nest, zod, guards, token checks or logging):
//   - POST /activities              the partner's report, a `draft`: the body validated by a JSON
//                                   schema (Fastify's compiled ajv), then one transaction: the
//                                   activity row, its re-read with the partner's names, the audit
//                                   row, the `activity.created` outbox row;
//   - POST /activities/:id/submit   the partner sends it for review: row locked, status checked,
//                                   updated (`submitted`, version + 1), re-read, audit, outbox;
//   - POST /activities/:id/approve  staff approve it: the same, `approved`, with the reviewer.
// Every statement is the SQL text the service's Kysely code compiles to, in the same order, in
// a transaction opened and closed the same way (`begin` … `commit`), on a pool of the same size
// and connection settings. Answers go through a Fastify response schema with the same ETag (and
// Location) headers. activity-review.mjs checks that both servers answer the same fields and
// write the same rows before it measures anything.
//
// No tokens are checked: the partner (and its API client) and the member of staff the service
// would take from the tokens are given in the environment, and each route acts as the one the
// benchmark sends there.
//
// Environment: PORT, HOST, DATABASE_URL, DATABASE_POOL_MAX (default 10), BENCH_PARTNER_ID,
// BENCH_CLIENT_ID, BENCH_STAFF_SUB.

import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { baselinePool } from './lib/baseline-pool.mjs';
import { serveBaseline } from './lib/baseline-serve.mjs';

const STATEMENT_TIMEOUT_MS = 15_000;

// As @sp/db's createPool: same size, keep-alive, timeouts, `date` columns kept as text.
const pool = baselinePool('bench-baseline', {
  keepAlive: true,
  statement_timeout: STATEMENT_TIMEOUT_MS,
  query_timeout: STATEMENT_TIMEOUT_MS + 5_000,
  idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS * 2,
});

const partnerId = required('BENCH_PARTNER_ID');
const partnerActor = { kind: 'partner', id: required('BENCH_CLIENT_ID') };
const staffActor = { kind: 'staff', id: required('BENCH_STAFF_SUB') };

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

// What the service's Kysely queries compile to (ActivitiesRepository, AuditLog, writeOutbox).
const selectActivity =
  'select "a".*, "p"."name_en" as "partner_name_en", "p"."name_ja" as "partner_name_ja", ' +
  '"p"."country" as "partner_country" from "registry"."activity" as "a" inner join ' +
  '"registry"."partner" as "p" on "p"."id" = "a"."partner_id"';
const sqlText = {
  insert:
    'insert into "registry"."activity" ("partner_id", "type", "title_en", "title_ja", ' +
    '"summary_en", "summary_ja", "departments", "leads", "starts_on", "ends_on", "status", ' +
    '"is_public", "links", "outputs", "review_status", "reviewed_at", "reviewed_by", ' +
    '"published_at", "reported_by", "created_by") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, ' +
    '$10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) returning "id"',
  // A partner's reads are bound to its partner; staff's are not.
  findAsPartner: `${selectActivity} where "a"."partner_id" = $1 and "a"."id" = $2`,
  lockAsPartner: `${selectActivity} where "a"."partner_id" = $1 and "a"."id" = $2 for update of "a"`,
  lockAsStaff: `${selectActivity} where "a"."id" = $1 for update of "a"`,
  findAsStaff: `${selectActivity} where "a"."id" = $1`,
  submit:
    'update "registry"."activity" set "review_status" = $1, "submitted_at" = $2, ' +
    '"updated_at" = now(), "version" = version + 1 where "id" = $3',
  review:
    'update "registry"."activity" set "review_status" = $1, "review_comment" = $2, ' +
    '"reviewed_at" = $3, "reviewed_by" = $4, "published_at" = $5, "updated_at" = now(), ' +
    '"version" = version + 1 where "id" = $6',
  audit:
    'insert into "registry"."audit_log" ("actor_kind", "actor_id", "entity", "entity_id", ' +
    '"action", "before", "after", "request_id") values ($1, $2, $3, $4, $5, $6, $7, $8)',
  outbox: 'insert into "registry"."outbox" ("topic", "name", "payload") values ($1, $2, $3)',
};

const iso = (d) => (d ? d.toISOString() : null);

/** As the service's `toActivity`. */
const toActivity = (row) => ({
  id: row.id,
  partnerId: row.partner_id,
  partnerNameEn: row.partner_name_en,
  type: row.type,
  titleEn: row.title_en,
  titleJa: row.title_ja,
  summaryEn: row.summary_en,
  summaryJa: row.summary_ja,
  departments: row.departments,
  leads: row.leads,
  startsOn: row.starts_on,
  endsOn: row.ends_on,
  status: row.status,
  isPublic: row.is_public,
  links: row.links,
  outputs: row.outputs,
  reviewStatus: row.review_status,
  reviewComment: row.review_comment,
  reviewedAt: iso(row.reviewed_at),
  submittedAt: iso(row.submitted_at),
  publishedAt: iso(row.published_at),
  reportedBy: row.reported_by,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  version: Number(row.version),
});

/** As the service's `toActivitySnapshot`: the payload of `activity.*` events. */
const toSnapshot = (row) => ({
  id: row.id,
  partnerId: row.partner_id,
  type: row.type,
  titleEn: row.title_en,
  titleJa: row.title_ja,
  status: row.status,
  reviewStatus: row.review_status,
  isPublic: row.is_public,
  publishedAt: iso(row.published_at),
  reportedBy: row.reported_by,
  updatedAt: row.updated_at.toISOString(),
  version: Number(row.version),
});

// The create contract (packages/types, activityCreateSchema) as a JSON schema.
const text = (max) => ({ type: 'string', minLength: 1, maxLength: max });
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const url = { type: 'string', format: 'uri', pattern: '^https?:', maxLength: 1000 };
const nullable = (schema) => ({ anyOf: [schema, { type: 'null' }] });
// zod's `.nullish().transform((v) => v ?? null)`: left out is null.
const orNull = (schema) => ({ ...nullable(schema), default: null });
const strict = (properties, required = []) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});
const linkSchema = strict({ label: text(200), url }, ['label', 'url']);
const outputsSchema = strict({
  papers: {
    type: 'array',
    maxItems: 200,
    default: [],
    items: strict(
      {
        title: text(500),
        url: orNull(url),
        year: orNull({ type: 'integer', minimum: 1900, maximum: 2200 }),
      },
      ['title'],
    ),
  },
  events: {
    type: 'array',
    maxItems: 200,
    default: [],
    items: strict({ title: text(300), date: orNull(date), url: orNull(url) }, ['title']),
  },
  studentsInvolved: orNull({ type: 'integer', minimum: 0, maximum: 100000 }),
});
const createSchema = strict(
  {
    partnerId: { type: 'string', format: 'uuid' },
    type: {
      enum: [
        'joint-research',
        'education-programme',
        'mobility-programme',
        'joint-symposium',
        'funding-bid',
        'other',
      ],
    },
    titleEn: text(300),
    titleJa: nullable(text(300)),
    summaryEn: nullable({ type: 'string', maxLength: 10000 }),
    summaryJa: nullable({ type: 'string', maxLength: 10000 }),
    departments: { type: 'array', maxItems: 30, items: text(200), default: [] },
    leads: { type: 'array', maxItems: 30, items: text(200), default: [] },
    startsOn: nullable(date),
    endsOn: nullable(date),
    status: { enum: ['planned', 'ongoing', 'completed', 'cancelled'], default: 'planned' },
    isPublic: { type: 'boolean', default: false },
    links: { type: 'array', maxItems: 30, items: linkSchema, default: [] },
    outputs: outputsSchema,
  },
  ['type', 'titleEn'],
);
const approveSchema = strict({ comment: { type: 'string', minLength: 1, maxLength: 2000 } });
const idParams = strict({ id: { type: 'string', format: 'uuid' } }, ['id']);

const nullableString = { type: ['string', 'null'] };
const activitySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    partnerId: { type: 'string' },
    partnerNameEn: { type: 'string' },
    type: { type: 'string' },
    titleEn: { type: 'string' },
    titleJa: nullableString,
    summaryEn: nullableString,
    summaryJa: nullableString,
    departments: { type: 'array', items: { type: 'string' } },
    leads: { type: 'array', items: { type: 'string' } },
    startsOn: nullableString,
    endsOn: nullableString,
    status: { type: 'string' },
    isPublic: { type: 'boolean' },
    links: {
      type: 'array',
      items: { type: 'object', properties: { label: { type: 'string' }, url: { type: 'string' } } },
    },
    outputs: {
      type: 'object',
      properties: {
        papers: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              title: { type: 'string' },
              url: nullableString,
              year: { type: ['integer', 'null'] },
            },
          },
        },
        events: {
          type: 'array',
          items: {
            type: 'object',
            properties: { title: { type: 'string' }, date: nullableString, url: nullableString },
          },
        },
        studentsInvolved: { type: ['integer', 'null'] },
      },
    },
    reviewStatus: { type: 'string' },
    reviewComment: nullableString,
    reviewedAt: nullableString,
    submittedAt: nullableString,
    publishedAt: nullableString,
    reportedBy: { type: 'string' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    version: { type: 'integer' },
  },
};

/** Runs `work` in a transaction on one pooled connection, as Kysely's `transaction().execute`. */
async function inTransaction(work) {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

const audit = (client, actor, requestId, entityId, action, before, after) =>
  client.query(sqlText.audit, [
    actor.kind,
    actor.id,
    'activity',
    entityId,
    action,
    before === undefined ? null : JSON.stringify(before),
    JSON.stringify(after),
    requestId,
  ]);

const outbox = (client, name, row) =>
  client.query(sqlText.outbox, ['registry-records', name, JSON.stringify(toSnapshot(row))]);

const conflict = (reply, detail) =>
  reply
    .code(409)
    .type('application/problem+json')
    .send({ type: '/problems/invalid-status-transition', status: 409, detail });
const notFound = (reply) =>
  reply
    .code(404)
    .type('application/problem+json')
    .send({ type: '/problems/not-found', status: 404 });

/** If-Match as the service reads it, reduced to what the benchmark sends: `*` or `"<n>"`. */
const versionMatches = (header, version) => header === '*' || header === `"${Number(version)}"`;

const app = Fastify({ logger: false });
const answers = { response: { 200: activitySchema, 201: activitySchema } };

app.get('/health/ready', async () => {
  await pool.query('select 1');
  return { status: 'ok' };
});

app.post('/activities', { schema: { body: createSchema, ...answers } }, async (request, reply) => {
  const input = request.body;
  if (input.partnerId !== undefined && input.partnerId !== partnerId) {
    return reply.code(400).send({ type: '/problems/validation-error', status: 400 });
  }
  const by = `${partnerActor.kind}:${partnerActor.id}`;
  const requestId = randomUUID();
  const activity = await inTransaction(async (client) => {
    const { id } = (
      await client.query(sqlText.insert, [
        partnerId,
        input.type,
        input.titleEn,
        input.titleJa ?? null,
        input.summaryEn ?? null,
        input.summaryJa ?? null,
        input.departments,
        input.leads,
        input.startsOn ?? null,
        input.endsOn ?? null,
        input.status,
        input.isPublic,
        JSON.stringify(input.links),
        JSON.stringify(input.outputs ?? { papers: [], events: [], studentsInvolved: null }),
        'draft',
        null,
        null,
        null,
        'partner',
        by,
      ])
    ).rows[0];
    const row = (await client.query(sqlText.findAsPartner, [partnerId, id])).rows[0];
    const created = toActivity(row);
    await audit(client, partnerActor, requestId, id, 'create', undefined, created);
    await outbox(client, 'activity.created', row);
    return created;
  });
  return reply
    .code(201)
    .header('location', `/activities/${activity.id}`)
    .header('etag', `"${activity.version}"`)
    .send(activity);
});

app.post(
  '/activities/:id/submit',
  { schema: { params: idParams, ...answers } },
  async (request, reply) => {
    const { id } = request.params;
    const requestId = randomUUID();
    const result = await inTransaction(async (client) => {
      const current = (await client.query(sqlText.lockAsPartner, [partnerId, id])).rows[0];
      if (!current) return notFound(reply);
      if (!versionMatches(request.headers['if-match'], current.version)) {
        return reply.code(412).send({ type: '/problems/precondition-failed', status: 412 });
      }
      if (current.review_status !== 'draft' && current.review_status !== 'returned') {
        return conflict(reply, 'the activity is not a draft');
      }
      await client.query(sqlText.submit, ['submitted', new Date(), id]);
      const row = (await client.query(sqlText.findAsPartner, [partnerId, id])).rows[0];
      const activity = toActivity(row);
      await audit(client, partnerActor, requestId, id, 'submit', toActivity(current), activity);
      await outbox(client, 'activity.submitted', row);
      return activity;
    });
    if (result === reply) return reply;
    return reply.header('etag', `"${result.version}"`).send(result);
  },
);

app.post(
  '/activities/:id/approve',
  { schema: { params: idParams, body: approveSchema, ...answers } },
  async (request, reply) => {
    const { id } = request.params;
    const comment = request.body?.comment ?? null;
    const by = `${staffActor.kind}:${staffActor.id}`;
    const requestId = randomUUID();
    const result = await inTransaction(async (client) => {
      const current = (await client.query(sqlText.lockAsStaff, [id])).rows[0];
      if (!current) return notFound(reply);
      if (!versionMatches(request.headers['if-match'], current.version)) {
        return reply.code(412).send({ type: '/problems/precondition-failed', status: 412 });
      }
      if (current.review_status !== 'submitted') {
        return conflict(reply, 'only a submitted activity can be approved');
      }
      const now = new Date();
      const publishedAt = current.is_public ? (current.published_at ?? now) : null;
      await client.query(sqlText.review, ['approved', comment, now, by, publishedAt, id]);
      const row = (await client.query(sqlText.findAsStaff, [id])).rows[0];
      const activity = toActivity(row);
      await audit(client, staffActor, requestId, id, 'approve', toActivity(current), activity);
      await outbox(client, 'activity.approved', row);
      return activity;
    });
    if (result === reply) return reply;
    return reply.header('etag', `"${result.version}"`).send(result);
  },
);

await serveBaseline(app, pool);
