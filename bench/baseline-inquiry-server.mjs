// The inquiry-submit benchmark's baseline: `POST /inquiries` served by plain Fastify and `pg`,
// doing the same work as the inquiries service for a JSON submission and no less:
//   - the body validated by a JSON schema (Fastify's compiled ajv validator, with formats):
//     the same fields, lengths, enums, and the symposium category's own fields;
//   - the honeypot checked, a 256-bit status token made and its SHA-256 kept;
//   - the SLA due times (first response, resolution) in business hours from now, by the
//     category's default targets, with the platform's own business-hours calendar (domain
//     work, not framework: the same function the service calls);
//   - one transaction with the same statements in the same order: the inquirer's message, the
//     acknowledgement's Message-ID, the inquiry numbered from the per-year counter row (the
//     same CTE), the audit row, and the three outbox rows (inquiry.created,
//     inquiry.message-added, email.send) in one insert;
//   - a Fastify response schema, so the receipt goes through the compiled serializer.
//
// Environment: PORT, HOST, DATABASE_URL, DATABASE_POOL_MAX (default 10).

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { businessHours, parseClosures } from '../packages/platform/dist/time/business-hours.js';
import { baselinePool } from './lib/baseline-pool.mjs';
import { serveBaseline } from './lib/baseline-serve.mjs';

const pool = baselinePool('bench-baseline');

const STATUS_URL = 'http://127.0.0.1:3003/inquiries/status/';
const MAIL_DOMAIN = 'inquiries.strategic-partnerships';
const line = (max) => ({ type: 'string', minLength: 1, maxLength: max });

const bodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'email', 'language', 'category', 'subject', 'message'],
  properties: {
    name: line(200),
    email: { type: 'string', format: 'email', maxLength: 320 },
    organisation: line(200),
    country: { type: 'string', pattern: '^[A-Z]{2}$' },
    language: { enum: ['en', 'ja'] },
    category: { enum: ['partnership-proposal', 'symposium', 'mobility', 'media', 'other'] },
    subject: line(300),
    message: { type: 'string', minLength: 1, maxLength: 20000 },
    website: { type: 'string', maxLength: 500 },
    fields: { type: 'object', default: {} },
  },
  // The symposium category's fields, as its zod schema has them.
  if: { properties: { category: { const: 'symposium' } } },
  then: {
    properties: {
      fields: {
        type: 'object',
        additionalProperties: false,
        required: ['role'],
        properties: {
          role: { enum: ['attendee', 'speaker', 'sponsor', 'press'] },
          edition: { type: 'integer', minimum: 1, maximum: 1000 },
        },
      },
    },
  },
};

const receiptSchema = {
  type: 'object',
  properties: {
    reference: { type: 'string' },
    state: { type: 'string' },
    statusToken: { type: 'string' },
    statusUrl: { type: 'string' },
    createdAt: { type: 'string' },
  },
};

const tokyoYear = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric' });

/** The inquiries service's default SLA targets (INQUIRY_SLA_HOURS), in business minutes. */
const slaMinutes = (hours) => ({ firstResponse: hours[0] * 60, resolution: hours[1] * 60 });
const SLA_TARGETS = {
  default: slaMinutes([8, 40]),
  'partnership-proposal': slaMinutes([16, 80]),
  media: slaMinutes([4, 16]),
};
// The service's default closure days (INQUIRY_CLOSURE_DAYS: the year-end holidays) too, so the
// due times are the same ones, not only the same columns.
const closures = parseClosures('12-29..01-03');
if ('error' in closures) throw new Error(closures.error);
const calendar = businessHours({ closures });

const app = Fastify({ logger: false });

app.get('/health/ready', async () => ({ status: 'ok' }));

app.post(
  '/inquiries',
  { schema: { body: bodySchema, response: { 201: receiptSchema } } },
  async (request, reply) => {
    const input = request.body;
    if (input.website) {
      return reply.code(400).send({ type: '/problems/validation-error', status: 400 });
    }
    const token = randomBytes(32).toString('base64url');
    const hash = createHash('sha256').update(token).digest('hex');
    const id = randomUUID();
    const ackId = `<ack.${id}@${MAIL_DOMAIN}>`;
    const now = new Date();
    const year = Number(tokyoYear.format(now));
    const sla = SLA_TARGETS[input.category] ?? SLA_TARGETS.default;
    const firstResponseDueAt = calendar.addBusinessMinutes(now, sla.firstResponse);
    const resolutionDueAt = calendar.addBusinessMinutes(now, sla.resolution);
    const client = await pool.connect();
    try {
      // The thread's foreign keys to the inquiry are checked at commit (initially deferred).
      await client.query('begin');
      const message = (
        await client.query(
          `insert into inquiries.message (inquiry_id, author_kind, author_id, visibility, channel, body, message_id, in_reply_to)
           values ($1, 'inquirer', null, 'public', 'form', $2, null, null) returning *`,
          [id, input.message],
        )
      ).rows[0];
      await client.query(
        `insert into inquiries.mail_thread (message_id, inquiry_id, kind) values ($1, $2, 'acknowledgement')`,
        [ackId, id],
      );
      const row = (
        await client.query(
          `with n as (
             insert into inquiries.reference_counter (year, next_number) values ($1, 2)
             on conflict (year) do update set next_number = reference_counter.next_number + 1
             returning next_number - 1 as number)
           insert into inquiries.inquiry (id, reference, reference_year, reference_number, category,
             name, email, organisation, country, language, subject, category_fields, partner_id,
             status_token_hash, first_response_due_at, resolution_due_at)
           select $2::uuid, 'INQ-' || $3 || '-' || lpad(n.number::text, 6, '0'), $1, n.number, $4,
             $5, $6, $7, $8, $9, $10, $11::jsonb, null, $12, $13, $14
           from n returning *`,
          [
            year,
            id,
            String(year),
            input.category,
            input.name,
            input.email,
            input.organisation ?? null,
            input.country ?? null,
            input.language,
            input.subject,
            JSON.stringify(input.fields ?? {}),
            hash,
            firstResponseDueAt,
            resolutionDueAt,
          ],
        )
      ).rows[0];
      const snapshot = {
        id: row.id,
        reference: row.reference,
        state: row.state,
        category: row.category,
        language: row.language,
        partnerId: null,
        symposiumId: null,
        assignee: null,
        version: Number(row.version),
        createdAt: row.created_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      };
      const audited = { ...row };
      delete audited.status_token_hash;
      await client.query(
        `insert into inquiries.audit_log (actor_kind, actor_id, entity, entity_id, action, before, after, request_id)
         values ('anonymous', null, 'inquiry', $1, 'create', null, $2, $3)`,
        [row.id, JSON.stringify(audited), request.id],
      );
      const statusUrl = STATUS_URL + token;
      await client.query(
        `insert into inquiries.outbox (topic, name, payload) values
           ('inquiry-events', 'inquiry.created', $1), ('inquiry-events', 'inquiry.message-added', $2),
           ('notifications', 'email.send', $3)`,
        [
          JSON.stringify(snapshot),
          JSON.stringify({
            inquiryId: row.id,
            reference: row.reference,
            messageId: message.id,
            authorKind: 'inquirer',
            visibility: 'public',
            channel: 'form',
            attachments: 0,
            createdAt: message.created_at.toISOString(),
          }),
          JSON.stringify({
            template: 'inquiry-received',
            locale: row.language,
            to: [row.email],
            data: { name: row.name, reference: row.reference, statusUrl },
            idempotencyKey: `inquiry-received:${row.id}`,
            messageId: ackId,
          }),
        ],
      );
      await client.query('commit');
      return reply.code(201).send({
        reference: row.reference,
        state: row.state,
        statusToken: token,
        statusUrl,
        createdAt: row.created_at.toISOString(),
      });
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  },
);

await serveBaseline(app, pool);
