// The http-read benchmark's baseline: the first page of `GET /partners` served by plain Fastify
// and `pg`, with nothing else. It does the same work as the partner-registry service for that
// request, and no less (lib/partners-page.mjs lists it), so the ratio between the two is the
// cost of everything the service adds on top (Nest, guards, validation, logging, request ids,
// metrics, Kysely). The page goes through Fastify's compiled serializer, as the service's does.
// http-read.mjs checks that both answer the very same bytes before it measures anything.
//
// Environment: PORT, HOST, and those of lib/partners-page.mjs, like the service.

import Fastify from 'fastify';
import { serveBaseline } from './lib/baseline-serve.mjs';
import { firstPage, isViewer, pageSchema, parseLimit, pool } from './lib/partners-page.mjs';

const app = Fastify({ logger: false });

app.get('/partners', { schema: { response: { 200: pageSchema } } }, async (request, reply) => {
  if (!(await isViewer(request.headers.authorization))) {
    return reply.code(401).send({ error: 'a staff bearer token is needed' });
  }
  const limit = parseLimit(request.query);
  if (limit === undefined) {
    return reply.code(400).send({ error: 'the baseline serves only /partners?limit=1..200' });
  }
  return firstPage(limit);
});

app.get('/health/ready', async () => {
  await pool.query('select 1');
  return { status: 'ok' };
});

await serveBaseline(app, pool);
