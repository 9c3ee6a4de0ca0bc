import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type DependencyCheck, type Health, healthSchema } from '@sp/types';
import type { FastifyReply } from 'fastify';
import { createZodDto } from './zod-dto';
import { Public } from '../auth/decorators';
import { Responds } from './responds.decorator';
import { HEALTH_CHECKS, SERVICE_NAME } from '../tokens';

export type HealthCheck = {
  name: string;
  /** Whether the service is not ready while this dependency is down. */
  required: boolean;
  check: () => Promise<unknown>;
};

class HealthDto extends createZodDto(healthSchema) {}

const CHECK_TIMEOUT_MS = 2_000;
const TIMEOUT_PREFIX = 'no answer within';

export async function runChecks(checks: HealthCheck[]): Promise<Record<string, DependencyCheck>> {
  const entries = await Promise.all(
    checks.map(async ({ name, required, check }): Promise<[string, DependencyCheck]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`${TIMEOUT_PREFIX} ${CHECK_TIMEOUT_MS} ms`)),
              CHECK_TIMEOUT_MS,
            );
          }),
        ]);
        return [
          name,
          { status: 'up', required, latencyMs: Math.round(performance.now() - started) },
        ];
      } catch (error) {
        const message = error instanceof Error ? error.message || error.name : String(error);
        return [name, { status: 'down', required, error: message }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}

@ApiTags('health')
@Public({ rateLimit: false })
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @Responds(200, HealthDto)
  live(): Health {
    return { status: 'ok', service: this.service, checks: {} };
  }

  /**
   * Ready to take traffic: every required dependency answers. 503 otherwise. The route is
   * public, so a failing dependency's own error (an internal address, a database user name)
   * goes to the log, not the answer; a timeout, our own words, is shown as it is.
   */
  @Get('ready')
  @Responds(200, HealthDto, 503)
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Health> {
    const checks = await runChecks(this.checks);
    const ok = Object.values(checks).every((c) => c.status === 'up' || !c.required);
    if (!ok) void reply.status(503);
    for (const [name, check] of Object.entries(checks)) {
      if (check.error === undefined || check.error.startsWith(TIMEOUT_PREFIX)) continue;
      this.logger.warn(`readiness: ${name} is down: ${check.error}`);
      check.error = 'failing; the service log says why';
    }
    return { status: ok ? 'ok' : 'error', service: this.service, checks };
  }
}
