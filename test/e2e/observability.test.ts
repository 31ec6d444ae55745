/**
 * Metrics and traces after a real run (docs/operations.md, "Metrics and traces"; ADR 0031): once an event
 * is published and delivered, every service's /metrics has the named series with sane values, and with
 * tracing on (an OTLP/HTTP receiver in this test) the spans of that event, from the publish request through
 * the policy decision and Kafka to its delivery on a stream, share the trace id the publisher sent.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient, type DeliveryStream, type StreamLine } from '@renkei/sdk';
import {
  participantKey as key,
  publicJwk as pub,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}
interface ReceivedSpan extends OtlpSpan {
  service: string;
}

/** A tiny OTLP/HTTP (JSON) trace receiver: what the services export lands in `spans`. */
function otlpReceiver(): Promise<{ server: Server; url: string; spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: {
            resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
            scopeSpans?: { spans?: OtlpSpan[] }[];
          }[];
        };
        for (const rs of body.resourceSpans ?? []) {
          const service =
            rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans }),
    ),
  );
}

/** The samples of one series in a Prometheus text exposition: labels -> value. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

const value = (text: string, name: string, labels: Record<string, string> = {}) =>
  samples(text, name).find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

/** Runs `check` until it passes or the time runs out (then its last failure is thrown). */
async function passes(check: () => unknown, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function readEvent(stream: DeliveryStream, id: string, timeoutMs = 20_000): Promise<StreamLine> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = await stream.read(deadline - Date.now());
    if (!line) break;
    if (line.type === 'event' && line.event.id === id) return line;
  }
  throw new Error(`event ${id} was not delivered`);
}

describe('metrics and traces after publish and delivery', () => {
  let env: TestPlatform;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let stream: DeliveryStream;
  const traceId = randomBytes(16).toString('hex');
  const eventId = randomUUID();

  beforeAll(async () => {
    receiver = await otlpReceiver();
    env = await startTestPlatform('observability', 5500, {
      env: Object.fromEntries(
        (['registry', 'clearing', 'exchange', 'cps-sim'] as const).map((service) => [
          service,
          { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200' },
        ]),
      ),
    });
    const [kc, ka] = [await key('c'), await key('a')];
    const c = await env.admin.onboard({ ...cellMaker, jwks: { keys: [pub(kc)] } });
    const a = await env.admin.onboard({ ...automaker, jwks: { keys: [pub(ka)] } });
    cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: kc });
    auto = new RenkeiClient(env.platform.endpoints, { clientId: a.id, privateJwk: ka });
    await cell.registerContract(batteryCfpContract);
    const grant = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    await cell.approveGrant(grant.id);
    stream = await auto.stream('battery.cfp', await auto.datasetToken('battery.cfp', 'subscribe', grant.id));
    // Published with the publisher's own trace context: the platform continues that trace.
    const token = await cell.datasetToken('battery.cfp', 'publish');
    const res = await fetch(`${env.platform.endpoints.exchange}/datasets/battery.cfp/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body: JSON.stringify({
        events: [
          { id: eventId, subject: 'lot-1', payload: { lotId: 'lot-1', cellModel: 'X', cfpKgCo2ePerKwh: 61 } },
        ],
      }),
    });
    expect(res.status).toBe(202);
    await readEvent(stream, eventId);
  });

  afterAll(async () => {
    stream?.close();
    await env?.stop();
    receiver?.server.close();
  });

  const metricsOf = async (service: 'registry' | 'clearing' | 'exchange' | 'cpsSim') => {
    const res = await fetch(`${env.platform.endpoints[service]}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('records HTTP requests by route template on every service, never by raw URL', async () => {
    for (const service of ['registry', 'clearing', 'exchange', 'cpsSim'] as const) {
      // A request each service answers (its health), so every one has observed something.
      await fetch(`${env.platform.endpoints[service]}/health`);
      const text = await metricsOf(service);
      const http = samples(text, 'renkei_http_request_duration_seconds_count');
      expect(http.length, service).toBeGreaterThan(0);
      for (const s of http) {
        expect(s.labels.route, service).toMatch(/^(\/[^?]*|\(unmatched\))$/);
        expect(s.labels.status_class).toMatch(/^[1-5]xx$/);
        // Ids stay out of labels: a dataset or uuid in a route label would multiply the series.
        expect(s.labels.route).not.toMatch(/battery\.cfp|[0-9a-f]{8}-[0-9a-f]{4}-/);
      }
      expect(value(text, 'process_resident_memory_bytes'), service).toBeGreaterThan(0);
    }
    const exchange = await metricsOf('exchange');
    expect(
      value(exchange, 'renkei_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/datasets/:dataset/events',
        status_class: '2xx',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('exposes Kafka, policy and stream series on the exchange with sane values', async () => {
    const text = await metricsOf('exchange');
    expect(
      value(text, 'renkei_kafka_produce_duration_seconds_count', { topic: 'data' }),
    ).toBeGreaterThanOrEqual(1);
    const produced = value(text, 'renkei_kafka_produce_duration_seconds_sum', { topic: 'data' })!;
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThan(30);
    expect(
      value(text, 'renkei_kafka_consume_latency_seconds_count', { topic: 'data' }),
    ).toBeGreaterThanOrEqual(1);
    const lag = value(text, 'renkei_kafka_consumer_lag', { topic: 'data' });
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(10);
    const publishAllowed = samples(text, 'renkei_policy_decisions_total').filter(
      (s) => s.labels.action === 'publish' && s.labels.result === 'allow',
    );
    expect(publishAllowed.reduce((n, s) => n + s.value, 0)).toBeGreaterThanOrEqual(1);
    expect(publishAllowed[0]!.labels.rule).toMatch(/^ALLOW\./);
    expect(samples(text, 'renkei_policy_decisions_total').some((s) => s.labels.action === 'deliver')).toBe(
      true,
    );
    expect(value(text, 'renkei_exchange_open_streams')).toBe(1);
    expect(value(text, 'renkei_exchange_feeds')).toBe(1);
  });

  it('exposes grants, outbox and audit series on clearing and the outbox on the registry', async () => {
    await passes(async () => {
      const text = await metricsOf('clearing');
      expect(value(text, 'renkei_grants', { state: 'granted' })).toBe(1);
      expect(value(text, 'renkei_audit_chain_length')).toBeGreaterThan(0);
      const age = value(text, 'renkei_audit_checkpoint_age_seconds');
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThan(120);
      expect(value(text, 'renkei_outbox_depth', { service: 'clearing' })).toBeGreaterThanOrEqual(0);
      expect(value(text, 'renkei_outbox_dead_letter_rows', { service: 'clearing' })).toBe(0);
      expect(
        samples(text, 'renkei_policy_decisions_total').filter((s) => s.labels.result === 'allow').length,
      ).toBeGreaterThan(0);
      expect(samples(text, 'renkei_kafka_consume_latency_seconds_count').length).toBeGreaterThan(0);
    }, 20_000);
    const registry = await metricsOf('registry');
    expect(value(registry, 'renkei_outbox_depth', { service: 'registry' })).toBeGreaterThanOrEqual(0);
    expect(value(registry, 'renkei_outbox_dead_letter_rows', { service: 'registry' })).toBe(0);
    expect(
      value(registry, 'renkei_kafka_produce_duration_seconds_count', { topic: 'registry.events' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('traces one event from publish through policy and Kafka to its delivery under one trace id', async () => {
    await passes(() => {
      const names = receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'POST /datasets/:dataset/events',
          'policy.decide publish',
          'kafka.produce data',
          'exchange.deliver',
        ]),
      );
    }, 20_000);
    const trace = receiver.spans.filter((s) => s.traceId === traceId);
    const byName = (name: string) => trace.find((s) => s.name === name)!;
    const request = byName('POST /datasets/:dataset/events');
    expect(request.service).toBe('exchange');
    expect(byName('policy.decide publish').parentSpanId).toBe(request.spanId);
    const produce = byName('kafka.produce data');
    expect(produce.parentSpanId).toBe(request.spanId);
    // Delivery is a child of the produce span: its context travelled in the Kafka message's headers.
    expect(byName('exchange.deliver').parentSpanId).toBe(produce.spanId);
  });
});
