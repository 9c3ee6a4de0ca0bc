import fastifyCookie from '@fastify/cookie';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { redactJobData } from './job-data-redaction';
import { FastifyAdapter } from '@bull-board/fastify';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  APP_CONFIG,
  AppError,
  type Principal,
  requestContext,
  toProblem,
  TokenVerifier,
} from '@sp/platform';
import { PROBLEM_CONTENT_TYPE } from '@sp/types';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import { PinoLogger } from 'nestjs-pino';
import { z } from 'zod';
import type { WorkerConfig } from '../config';
import { DashboardAudit } from './dashboard-audit';
import { loginPage, loginScript } from './dashboard-login';
import { dashboardProblem } from './dashboard-problem';
import { ALL_QUEUES } from './tokens';

export const DASHBOARD_PATH = '/queues';
const COOKIE = 'sp_dashboard';

const sessionSchema = z.object({ token: z.string().min(1) }).strict();

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** bull-board's type lists only the statuses it uses itself; ours (413, 415, 503 …) pass too. */
type BoardErrorStatus = ReturnType<Parameters<FastifyAdapter['setErrorHandler']>[0]>['status'];

/**
 * The BullMQ dashboard (bull-board) at `/queues`, for admins only. A script or curl sends the
 * admin's bearer token; a browser signs in once at `/queues/login` by pasting one, which is
 * kept in an HttpOnly, SameSite=Strict cookie scoped to `/queues` until the token expires
 * (Secure whenever the public URL is https). The dashboard can retry, promote and clean jobs,
 * so nothing short of `admin` gets in, a change made with the cookie must come from the
 * dashboard's own origin, and every change is written to the audit log.
 */
@Injectable()
export class Dashboard implements OnModuleInit {
  /** Who each request let in is, for the audit log and the action log. */
  private readonly admins = new WeakMap<FastifyRequest, Principal>();
  private readonly publicUrl: URL | undefined;
  private readonly maxTokenAgeSeconds: number;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly verifier: TokenVerifier,
    @Inject(ALL_QUEUES) private readonly queues: Queue[],
    @Inject(APP_CONFIG) config: WorkerConfig,
    private readonly audit: DashboardAudit,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(Dashboard.name);
    this.publicUrl = config.PUBLIC_URL ? new URL(config.PUBLIC_URL) : undefined;
    this.maxTokenAgeSeconds = config.AUTH_MAX_TOKEN_AGE_SECONDS;
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const board = new FastifyAdapter();
    board.setBasePath(DASHBOARD_PATH);
    createBullBoard({
      queues: this.queues.map((queue) => {
        const adapter = new BullMQAdapter(queue);
        // Capability links in mail jobs are not shown (job-data-redaction).
        adapter.setFormatter('data', (data: unknown) => redactJobData(data, { maskEmails: false }));
        return adapter;
      }),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'SP queues' }, handlerHooks: this.audit.hooks },
    });
    // bull-board's own handler would send the exception's message (and, in development, its
    // stack): errors thrown in its routes (a body that is not JSON, Redis away …) are mapped as
    // anywhere else in the platform, and logged when unexpected. The `error` key is for its UI.
    board.setErrorHandler((error: Error) => {
      const { status, body, unexpected } = toProblem(error, '');
      if (unexpected) this.logger.error({ err: error }, 'queue dashboard request failed');
      const key = status >= 500 ? 'ERRORS.INTERNAL_SERVER_ERROR' : 'ERRORS.INVALID_REQUEST_BODY';
      return { status: status as BoardErrorStatus, body: { ...body, error: { key } } };
    });
    void fastify.register(async (scope) => {
      await scope.register(fastifyCookie);
      // A change made with the session cookie must come from the dashboard's own pages.
      scope.addHook('onRequest', (request, reply, done) => {
        const refused = this.crossSite(request);
        if (refused) return void problem(request, reply, refused);
        done();
      });
      // Every error answered under /queues, bull-board's included, is a problem; its page
      // loads no third-party font.
      scope.addHook('onSend', (request, reply, payload, done) => {
        const type = String(reply.getHeader('content-type') ?? '');
        if (reply.statusCode >= 400 && !type.startsWith(PROBLEM_CONTENT_TYPE)) {
          const text =
            typeof payload === 'string' || Buffer.isBuffer(payload) ? payload.toString() : '';
          const answer = dashboardProblem(reply.statusCode, text, request.url, request.id);
          if (answer.status >= 500)
            this.logger.error(
              { status: reply.statusCode, body: text },
              'queue dashboard error answer',
            );
          void reply.status(answer.status).type(PROBLEM_CONTENT_TYPE);
          return done(null, JSON.stringify(answer.body));
        }
        if (type.startsWith('text/html') && typeof payload === 'string')
          return done(null, withoutThirdPartyFonts(payload));
        done(null, payload);
      });
      scope.post(`${DASHBOARD_PATH}/session`, (request, reply) => this.signIn(request, reply));
      // Signing out needs the session cookie it ends, not a token still valid: a session whose
      // token has aged out must be clearable too. The Origin check above guards it.
      scope.delete(`${DASHBOARD_PATH}/session`, (request, reply) => {
        if (!request.cookies[COOKIE])
          return problem(
            request,
            reply,
            new AppError('unauthorized', 'no dashboard session to end'),
          );
        return reply
          .clearCookie(COOKIE, { path: DASHBOARD_PATH, secure: this.secure(request) })
          .status(204)
          .send();
      });
      scope.get(`${DASHBOARD_PATH}/login`, (_request, reply) =>
        reply.type('text/html; charset=utf-8').send(loginPage(DASHBOARD_PATH)),
      );
      scope.get(`${DASHBOARD_PATH}/login.js`, (_request, reply) =>
        reply.type('text/javascript; charset=utf-8').send(loginScript(DASHBOARD_PATH)),
      );
      await scope.register(async (guarded) => {
        guarded.addHook('onRequest', (request, reply) => this.guard(request, reply));
        // The request context exists from the platform's preHandler on: the admin goes in it,
        // so the audit log (written from bull-board's handlers) records who it was.
        guarded.addHook('preHandler', (request, _reply, done) => {
          const admin = this.admins.get(request);
          if (admin) requestContext.setPrincipal(admin);
          done();
        });
        // Every write is logged, and one whose handler failed part-way is audited too
        // (bull-board skips `after` then).
        guarded.addHook('onResponse', async (request, reply) => {
          if (safeMethods.has(request.method)) return;
          this.logger.info(
            {
              admin: (this.admins.get(request) as { sub?: string } | undefined)?.sub,
              method: request.method,
              url: request.url,
              statusCode: reply.statusCode,
            },
            'queue dashboard action',
          );
          await this.audit.recordFailure(request.params, reply.statusCode);
        });
        await guarded.register(board.registerPlugin(), { prefix: DASHBOARD_PATH });
      });
    });
  }

  /** The dashboard's own origin: the public URL's, or the one the request was made to. */
  private origin(request: FastifyRequest): string {
    return this.publicUrl?.origin ?? `${request.protocol}://${request.host}`;
  }

  /** Whether cookies must be Secure: the public URL is https (TLS may end at a proxy). */
  private secure(request: FastifyRequest): boolean {
    return this.publicUrl ? this.publicUrl.protocol === 'https:' : request.protocol === 'https';
  }

  /**
   * Refuses an unsafe request that another site's page could have made with the admin's
   * cookie: one whose Origin is not the dashboard's, or which carries the session cookie and no
   * Origin at all (browsers send Origin on every POST, PUT, PATCH and DELETE). A bearer token
   * is never sent by a browser on its own, so scripts using one need no Origin. Which of the
   * two a request uses is decided once (`bearerOf`), here as in the guard: an Authorization
   * header (Basic, say) used to excuse the Origin while the guard went on to use the cookie.
   */
  private crossSite(request: FastifyRequest): AppError | undefined {
    if (safeMethods.has(request.method)) return undefined;
    const origin = request.headers.origin;
    if (origin === undefined) {
      const usesCookie = !bearerOf(request) && request.headers.cookie?.includes(`${COOKIE}=`);
      return usesCookie
        ? new AppError(
            'forbidden',
            'a change made with the dashboard session must carry an Origin header',
          )
        : undefined;
    }
    if (origin === this.origin(request)) return undefined;
    return new AppError('forbidden', `requests from ${origin} may not change the queue dashboard`);
  }

  private async signIn(request: FastifyRequest, reply: FastifyReply) {
    const body = sessionSchema.safeParse(request.body);
    if (!body.success)
      return problem(request, reply, new AppError('validation-error', 'send {"token": "<JWT>"}'));
    const principal = await this.verifier.verify(body.data.token).catch((e: unknown) => e);
    const refused = refusal(principal);
    if (refused) return problem(request, reply, refused);
    // The cookie lasts as long as the verifier takes its token: to `exp`, or to `iat` plus the
    // maximum age, whichever is sooner. Longer, a browser kept a session every request refused.
    const { exp, iat } = decodeJwt(body.data.token);
    const now = Math.floor(Date.now() / 1000);
    const until = Math.min(exp ?? now + 3600, (iat ?? now) + this.maxTokenAgeSeconds);
    const maxAge = Math.max(0, until - now);
    return reply
      .setCookie(COOKIE, body.data.token, {
        path: DASHBOARD_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: this.secure(request),
        maxAge,
      })
      .status(204)
      .send();
  }

  private async guard(request: FastifyRequest, reply: FastifyReply) {
    const bearer = bearerOf(request);
    const token = bearer ?? request.cookies[COOKIE];
    const browserPage = request.method === 'GET' && request.headers.accept?.includes('text/html');
    if (!token) {
      if (browserPage) return reply.redirect(`${DASHBOARD_PATH}/login`, 303);
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
    if (refused) {
      // A session whose token is no longer taken (expired, too old) is ended, and a browser
      // is sent to sign in again rather than shown a 401.
      if (!bearer && refused.code === 'unauthorized') {
        void reply.clearCookie(COOKIE, { path: DASHBOARD_PATH, secure: this.secure(request) });
        if (browserPage) return reply.redirect(`${DASHBOARD_PATH}/login`, 303);
      }
      return problem(request, reply, refused);
    }
    this.admins.set(request, principal as Principal);
  }
}

/** The request's bearer token, if its Authorization header carries one; else it uses the cookie. */
function bearerOf(request: FastifyRequest): string | undefined {
  return request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
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

/** bull-board's page asks Google for its fonts: the CSP forbids that, so the page does not ask. */
function withoutThirdPartyFonts(html: string): string {
  return html.replace(/<link[^>]*href="https:\/\/fonts\.(googleapis|gstatic)\.com[^>]*>\s*/g, '');
}
