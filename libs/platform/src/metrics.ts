import type { FastifyInstance } from 'fastify';
import { register } from 'prom-client';

/**
 * Prometheus metrics at `GET /metrics` (text exposition format) from prom-client's default registry, where
 * libraries register their counters (e.g. `renkei_outbox_dead_letters_total`). Counts only, no data: it is
 * outside the OpenAPI document and meant for the operators' scraper.
 */
export function registerMetricsRoute(fastify: FastifyInstance): void {
  fastify.get('/metrics', async (_request, reply) => {
    const body = await register.metrics();
    return reply.header('content-type', register.contentType).send(body);
  });
}
