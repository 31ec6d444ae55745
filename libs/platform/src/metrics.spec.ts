import Fastify from 'fastify';
import { register, type MetricValue } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { observeDecision } from './decision-metrics.js';
import { collectedGauge, installHttpMetrics, routeLabel, statusClass } from './metrics.js';

/** A metric's values; a histogram's carry the series name (`_count`, `_sum`, `_bucket`). */
const valuesOf = async (name: string) =>
  ((await register.getSingleMetric(name)?.get())?.values ?? []) as (MetricValue<string> & {
    metricName?: string;
  })[];

describe('HTTP metrics', () => {
  it('labels by route template and status class, never by the raw URL', async () => {
    const app = Fastify();
    installHttpMetrics(app);
    app.get('/datasets/:dataset/events', () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/datasets/battery.cfp/events?after=0:1' });
    await app.inject({ method: 'GET', url: '/datasets/other.set/events' });
    await app.inject({ method: 'GET', url: '/no/such/route/4f1c2e9a' });
    await app.inject({ method: 'PROPFIND' as never, url: '/datasets/x/events' });
    await app.close();
    const counts = (await valuesOf('renkei_http_request_duration_seconds')).filter((v) =>
      v.metricName?.endsWith('_count'),
    );
    expect(counts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          labels: { method: 'GET', route: '/datasets/:dataset/events', status_class: '2xx' },
          value: 2,
        }),
        expect.objectContaining({
          labels: { method: 'GET', route: '(unmatched)', status_class: '4xx' },
          value: 1,
        }),
      ]),
    );
    for (const { labels } of counts) {
      expect(String(labels.route)).not.toMatch(/battery|other\.set|4f1c2e9a/);
      expect(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'OTHER']).toContain(labels.method);
    }
  });

  it('maps statuses to classes and missing templates to (unmatched)', () => {
    expect(statusClass(200)).toBe('2xx');
    expect(statusClass(503)).toBe('5xx');
    expect(statusClass(0)).toBe('other');
    expect(routeLabel(undefined)).toBe('(unmatched)');
    expect(routeLabel('/grants/:id')).toBe('/grants/:id');
  });
});

describe('collected gauges', () => {
  it('reads at scrape time, caches the reading, and leaves a failing read out', async () => {
    let reads = 0;
    let fail = false;
    const detach = collectedGauge(
      'renkei_test_collected',
      'test',
      ['state'],
      () => {
        reads++;
        if (fail) throw new Error('database down');
        return [{ labels: { state: 'granted' }, value: reads }];
      },
      60_000,
    );
    expect(await valuesOf('renkei_test_collected')).toEqual([
      expect.objectContaining({ labels: { state: 'granted' }, value: 1 }),
    ]);
    // Cached: a second scrape within the interval does not read again.
    expect((await valuesOf('renkei_test_collected'))[0]?.value).toBe(1);
    expect(reads).toBe(1);
    // A newer registration (a service built again) replaces the reader; a failing one reports nothing.
    fail = true;
    collectedGauge('renkei_test_collected', 'test', ['state'], () => {
      throw new Error('down');
    });
    expect(await valuesOf('renkei_test_collected')).toEqual([]);
    detach(); // not the current reader any more: no effect
    expect(await valuesOf('renkei_test_collected')).toEqual([]);
  });
});

describe('policy decision metrics', () => {
  it('counts each decision by action, result and rule', async () => {
    const before =
      (await valuesOf('renkei_policy_decisions_total')).find(
        (v) => v.labels.action === 'publish' && v.labels.rule === 'GRANT.SUSPENDED',
      )?.value ?? 0;
    const d = observeDecision('publish', () => ({ allow: false, rule: 'GRANT.SUSPENDED' }));
    expect(d).toEqual({ allow: false, rule: 'GRANT.SUSPENDED' });
    observeDecision('publish', () => ({ allow: false, rule: 'GRANT.SUSPENDED' }));
    expect(
      (await valuesOf('renkei_policy_decisions_total')).find(
        (v) =>
          v.labels.action === 'publish' && v.labels.result === 'deny' && v.labels.rule === 'GRANT.SUSPENDED',
      )?.value,
    ).toBe(before + 2);
  });
});

describe('the metrics route', () => {
  it('serves the default registry with the process series', async () => {
    const { registerMetricsRoute } = await import('./metrics.js');
    const app = Fastify({ logger: false });
    registerMetricsRoute(app);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});
