import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE } from '@sp/types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { toProblem } from './problem';

/**
 * Renders every error as `application/problem+json`; logs unexpected ones with their stack.
 * Nest also routes the errors Fastify raises before a handler runs (bad JSON, wrong content
 * type, body too large) and unknown routes through this filter.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext(ProblemFilter.name);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const instance = request.url.split('?')[0] ?? '/';
    const { status, body, unexpected, headers } = toProblem(exception, instance, request.id);
    if (unexpected)
      this.logger.error({ err: exception, requestId: request.id }, 'unexpected error');
    if (reply.sent) return;
    if (status === 503) void reply.header('retry-after', '5');
    for (const [name, value] of Object.entries(headers ?? {})) void reply.header(name, value);
    void reply.status(status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }
}
