import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Prometheus metrics at `GET /metrics` (text exposition format) from prom-client's default registry, where
 * libraries register their series (docs/operations.md, "Metrics and traces", lists them all). Counts only,
 * no data: it is outside the OpenAPI document and meant for the operators' scraper.
 */
export function registerMetricsRoute(fastify: FastifyInstance): void {
  collectProcessMetrics();
  fastify.get('/metrics', async (_request, reply) => {
    const body = await register.metrics();
    return reply.header('content-type', register.contentType).send(body);
  });
}

let processMetrics = false;
/** Node's own series (memory, event-loop lag, GC), once per process: what a soak test watches. */
function collectProcessMetrics(): void {
  if (processMetrics || register.getSingleMetric('process_cpu_user_seconds_total')) return;
  processMetrics = true;
  collectDefaultMetrics();
}

// ------------------------------------------------------------------------------------------------ helpers
// Each metric is created once per process: a module loaded twice (tests, the sources and the build side by
// side) finds the one already registered instead of failing on a duplicate name.

/** A counter on the default registry (served at /metrics). */
export function sharedCounter<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  return (
    (register.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames })
  );
}

/** A histogram on the default registry; `buckets` in the metric's unit (seconds for durations). */
export function sharedHistogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
): Histogram<L> {
  return (
    (register.getSingleMetric(name) as Histogram<L> | undefined) ??
    new Histogram({ name, help, labelNames, buckets })
  );
}

/** One reading of a collected gauge: its labels and value. */
export type GaugeReading<L extends string> = { labels: Partial<Record<L, string>>; value: number };

/** The readers of the collected gauges, by metric name: the newest registration wins (tests build twice). */
const gaugeReaders = new Map<string, () => Promise<GaugeReading<string>[]>>();

/**
 * A gauge whose value is read when Prometheus scrapes (e.g. a count from the database), cached for
 * `cacheMs` so a scraper polling often (or several scrapers) costs one query per interval. A read that
 * fails leaves the series out of that scrape (absent, not zero: an alert on "absent" sees it). Returns a
 * function that detaches the reader (the gauge then reports nothing).
 */
export function collectedGauge<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Promise<GaugeReading<L>[]> | GaugeReading<L>[],
  cacheMs = 5_000,
): () => void {
  let cached: { at: number; readings: GaugeReading<L>[] } | undefined;
  const reader = async () => {
    if (cached && Date.now() - cached.at < cacheMs) return cached.readings;
    const readings = await read();
    cached = { at: Date.now(), readings };
    return readings;
  };
  gaugeReaders.set(name, reader);
  if (!register.getSingleMetric(name)) {
    new Gauge<string>({
      name,
      help,
      labelNames: [...labelNames],
      async collect() {
        this.reset();
        const current = gaugeReaders.get(name);
        if (!current) return;
        try {
          for (const { labels, value } of await current()) this.set(labels as never, value);
        } catch {
          // Left out of this scrape; the next one tries again (the cache holds only successes).
        }
      },
    });
  }
  return () => {
    if (gaugeReaders.get(name) === reader) gaugeReaders.delete(name);
  };
}

// ----------------------------------------------------------------------------------------------- HTTP

/** Request durations in seconds: from a health probe's millisecond to a slow upstream's deadline. */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const httpDuration = () =>
  sharedHistogram(
    'renkei_http_request_duration_seconds',
    'HTTP requests by method, route template and status class; _count is the rate, 4xx/5xx the errors',
    ['method', 'route', 'status_class'],
    HTTP_BUCKETS,
  );

/** Methods outside this set are counted as OTHER: a client cannot invent label values. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route label: Fastify's route template (`/datasets/:dataset/events`), never the raw URL, so ids in
 * paths do not multiply the series; a request that matched no route is `(unmatched)`. The label set is
 * bounded by the service's routes x 8 methods x 5 status classes.
 */
export function routeLabel(template: string | undefined): string {
  return template && template.length > 0 ? template : '(unmatched)';
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** Observes every request's duration once its answer is sent (a stream: when it ends). */
export function installHttpMetrics(fastify: FastifyInstance): void {
  const histogram = httpDuration();
  fastify.addHook('onResponse', (request, reply, done) => {
    histogram.observe(
      {
        method: METHODS.has(request.method) ? request.method : 'OTHER',
        route: routeLabel(request.routeOptions.url),
        status_class: statusClass(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
