import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { Public } from '../auth/decorators';
import { type HealthCheck, runChecks } from './health';
import { METRICS_REGISTRY } from '../tokens';

/** One registry per app instance (not prom-client's global one), so tests can run several. */
export function createMetricsRegistry(service: string, checks: HealthCheck[]): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'dependency_up',
    help: 'Whether a dependency (postgres, redis) answered its health check at scrape time (1) or not (0).',
    labelNames: ['dependency', 'required'],
    registers: [registry],
    async collect() {
      const results = await runChecks(checks);
      for (const [dependency, result] of Object.entries(results)) {
        this.set({ dependency, required: String(result.required) }, result.status === 'up' ? 1 : 0);
      }
    },
  });
  return registry;
}

/** Times every request by its route template (not its raw URL, which would explode the labels). */
export function instrumentHttp(fastify: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to response, by route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

// Scraped from inside the cluster; keep the port off the public ingress.
@ApiExcludeController()
@Public({ rateLimit: false })
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  /** Prometheus text exposition format. */
  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
