import fastifyCookie from '@fastify/cookie';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppError, type Principal, toProblem, TokenVerifier } from '@sp/platform';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { PinoLogger } from 'nestjs-pino';
import { z } from 'zod';
import { WORKER_QUEUES } from './tokens';

export const DASHBOARD_PATH = '/queues';
const COOKIE = 'sp_dashboard';

const sessionSchema = z.object({ token: z.string().min(1) }).strict();

/**
 * The BullMQ dashboard (bull-board) at `/queues`, for admins only. A script or curl sends the
 * admin's bearer token; a browser signs in once at `/queues/login` by pasting one, which is
 * kept in an HttpOnly, SameSite=Strict cookie scoped to `/queues` until the token expires.
 * The dashboard can retry, promote and clean jobs, so nothing short of `admin` gets in.
 */
@Injectable()
export class Dashboard implements OnModuleInit {
  /** Who each request let in is (the admin's `sub`), for the action log. */
  private readonly admins = new WeakMap<FastifyRequest, string>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly verifier: TokenVerifier,
    @Inject(WORKER_QUEUES) private readonly queues: Queue[],
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(Dashboard.name);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const board = new FastifyAdapter();
    board.setBasePath(DASHBOARD_PATH);
    createBullBoard({
      queues: this.queues.map((queue) => new BullMQAdapter(queue)),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'SP queues' } },
    });
    void fastify.register(async (scope) => {
      await scope.register(fastifyCookie);
      scope.post(`${DASHBOARD_PATH}/session`, (request, reply) => this.signIn(request, reply));
      scope.delete(`${DASHBOARD_PATH}/session`, (_request, reply) =>
        reply.clearCookie(COOKIE, { path: DASHBOARD_PATH }).status(204).send(),
      );
      scope.get(`${DASHBOARD_PATH}/login`, (_request, reply) =>
        reply.type('text/html; charset=utf-8').send(loginPage),
      );
      await scope.register(async (guarded) => {
        guarded.addHook('onRequest', (request, reply) => this.guard(request, reply));
        // The dashboard can retry, promote, clean, pause and add jobs: say who did what.
        guarded.addHook('onResponse', (request, reply, done) => {
          if (request.method !== 'GET')
            this.logger.info(
              {
                admin: this.admins.get(request),
                method: request.method,
                url: request.url,
                statusCode: reply.statusCode,
              },
              'queue dashboard action',
            );
          done();
        });
        await guarded.register(board.registerPlugin(), { prefix: DASHBOARD_PATH });
      });
    });
  }

  private async signIn(request: FastifyRequest, reply: FastifyReply) {
    const body = sessionSchema.safeParse(request.body);
    if (!body.success)
      return problem(request, reply, new AppError('validation-error', 'send {"token": "<JWT>"}'));
    const principal = await this.verifier.verify(body.data.token).catch((e: unknown) => e);
    const refused = refusal(principal);
    if (refused) return problem(request, reply, refused);
    const exp = decodeJwt(body.data.token).exp;
    const maxAge = exp ? Math.max(0, exp - Math.floor(Date.now() / 1000)) : 3600;
    return reply
      .setCookie(COOKIE, body.data.token, {
        path: DASHBOARD_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        maxAge,
      })
      .status(204)
      .send();
  }

  private async guard(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? request.cookies[COOKIE];
    if (!token) {
      if (request.method === 'GET' && request.headers.accept?.includes('text/html'))
        return reply.redirect(`${DASHBOARD_PATH}/login`, 303);
      return problem(
        request,
        reply,
        new AppError('unauthorized', 'the queue dashboard needs an admin token', {
          headers: { 'www-authenticate': 'Bearer realm="strategic-partnerships"' },
        }),
      );
    }
    const principal = await this.verifier.verify(token).catch((e: unknown) => e);
    const refused = refusal(principal);
    if (refused) return problem(request, reply, refused);
    this.admins.set(request, (principal as Principal & { kind: 'staff' }).sub);
  }
}

function refusal(principal: unknown): AppError | undefined {
  if (principal instanceof AppError) return principal;
  if (principal instanceof Error) throw principal;
  const p = principal as Principal;
  if (p.kind === 'staff' && p.role === 'admin') return undefined;
  return new AppError('forbidden', 'the queue dashboard is for admins');
}

function problem(request: FastifyRequest, reply: FastifyReply, error: AppError) {
  const { status, body, headers } = toProblem(error, request.url, request.id);
  return reply
    .status(status)
    .headers(headers ?? {})
    .type('application/problem+json')
    .send(body);
}

const loginPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Queue dashboard — sign in</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}
textarea{width:100%;height:8rem;font:13px monospace}button{margin-top:.5rem;padding:.4rem 1rem}
#error{color:#b00020}</style></head>
<body><h1>Queue dashboard</h1>
<p>Paste an admin bearer token (locally: <code>npm run -s token -- --role admin</code>).</p>
<form id="f"><textarea id="t" required autofocus></textarea><br><button>Sign in</button></form>
<p id="error" role="alert"></p>
<script>
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const res = await fetch('${DASHBOARD_PATH}/session', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: document.getElementById('t').value.trim() }),
  });
  if (res.ok) location.href = '${DASHBOARD_PATH}';
  else document.getElementById('error').textContent = (await res.json()).detail;
});
</script></body></html>`;
