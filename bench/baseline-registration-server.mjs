// The registration-burst benchmark's baseline: plain Fastify + pg doing the database work of a
// sign-up and nothing more. `POST /symposiums/:id/registrations` with `{ name, email }`: in one
// transaction it locks the symposium's registration settings row (`FOR UPDATE`), counts the
// seats taken, inserts the registration as confirmed or waitlisted, and writes the same two
// outbox rows (the event and the mail) and an audit row as the service; then answers 201 with
// the status. No token check, no validation library, no framework beyond Fastify: the share of
// the service's time that is its own shows in the ratio.
//
// Environment: DATABASE_URL, DATABASE_POOL_MAX [10], PORT, HOST.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { baselinePool } from './lib/baseline-pool.mjs';
import { serveBaseline } from './lib/baseline-serve.mjs';

const pool = baselinePool('bench-baseline-registration');

const app = Fastify({ logger: false });

app.post('/symposiums/:id/registrations', async (request, reply) => {
  const symposiumId = request.params.id;
  const { name, email } = request.body;
  const client = await pool.connect();
  try {
    await client.query('begin');
    const settings = await client.query(
      'select capacity from symposium.registration_settings where symposium_id = $1 for update',
      [symposiumId],
    );
    const capacity = settings.rows[0].capacity;
    const counted = await client.query(
      `select count(*) filter (where status in ('confirmed','attended'))::int as taken
         from symposium.registration where symposium_id = $1`,
      [symposiumId],
    );
    const status = counted.rows[0].taken < capacity ? 'confirmed' : 'waitlisted';
    const id = randomUUID();
    const token = randomBytes(32).toString('base64url');
    const inserted = await client.query(
      `insert into symposium.registration
         (id, symposium_id, name, email, language, status, token_hash, check_in_code, confirmed_at)
       values ($1, $2, $3, $4, 'en', $5, $6, $7, case when $5 = 'confirmed' then now() end)
       returning id, status, updated_at`,
      [
        id,
        symposiumId,
        name,
        email,
        status,
        createHash('sha256').update(token).digest('hex'),
        randomBytes(6).toString('hex').slice(0, 8).toUpperCase(),
      ],
    );
    await client.query(
      `insert into symposium.audit_log (actor_kind, actor_id, entity, entity_id, action, after)
       values ('staff', 'bench', 'registration', $1, 'create', $2)`,
      [id, JSON.stringify(inserted.rows[0])],
    );
    await client.query(
      `insert into symposium.outbox (topic, name, payload) values
         ('symposium-events', 'registration.created', $1), ('notifications', 'email.send', $2)`,
      [
        JSON.stringify({ registrationId: id, symposiumId, status }),
        JSON.stringify({
          template: `registration-${status}`,
          locale: 'en',
          to: [email],
          data: { name },
        }),
      ],
    );
    await client.query('commit');
    reply.code(201);
    return { id, status };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
});

app.get('/health/ready', async () => {
  await pool.query('select 1');
  return { status: 'ok' };
});

await serveBaseline(app, pool);
