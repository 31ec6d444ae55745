/**
 * One event's trace, from its publication to its delivery on a subscriber's stream (ADR 0031), shown.
 *
 * It runs a small OTLP/HTTP receiver (the services export OTLP JSON to OTEL_EXPORTER_OTLP_ENDPOINT),
 * starts the four services as processes pointed at it, creates an originator with the battery.cfp
 * contract and a consumer with an approved grant through the API, opens the consumer's stream, publishes
 * one event with a `traceparent` of the demo's own (as an instrumented client would), waits for the event
 * on the stream, and collects the spans the services exported for that trace id. It prints the span tree
 * (service, span, start offset, duration, a text waterfall) and writes the waterfall as SVG to
 * docs/images/trace-publish-to-delivery.svg. The first row ("client") is the demo's own view, from sending
 * the publish request to reading the event off the stream; every other row is a span from a service.
 *
 * `npm run trace:demo` (needs KAFKA_BROKERS and TEST_DATABASE_URL like the e2e tests; ports from
 * TRACE_DEMO_BASE_PORT, default 5750).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RenkeiClient, type DeliveryStream } from '@renkei/sdk';
import { freshDatabase } from '../test/support/database.js';
import { generateSecrets, startPlatform } from '../test/support/platform.js';
import { participantKey as key, publicJwk as pub } from '../test/support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../test/fixtures/battery-cfp.js';
import { renderSvg } from './chart.js';

const here = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpAttribute[];
  status?: { code?: number };
}
export interface Span {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startMs: number;
  endMs: number;
  attributes: Record<string, string>;
}

function receiver() {
  const spans: Span[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans?: {
            resource?: { attributes?: OtlpAttribute[] };
            scopeSpans?: { spans?: OtlpSpan[] }[];
          }[];
        };
        for (const rs of body.resourceSpans ?? []) {
          const service =
            rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                service,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId || null,
                name: s.name,
                startMs: Number(BigInt(s.startTimeUnixNano) / 1000n) / 1000,
                endMs: Number(BigInt(s.endTimeUnixNano) / 1000n) / 1000,
                attributes: Object.fromEntries(
                  (s.attributes ?? []).map((a) => [
                    a.key,
                    String(a.value.stringValue ?? a.value.intValue ?? a.value.boolValue ?? ''),
                  ]),
                ),
              });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise<{ close: () => void; url: string; spans: Span[] }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        close: () => server.close(),
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        spans,
      }),
    ),
  );
}

/** The spans in tree order (parents before children, siblings by start), with their depth. */
export function treeOrder(spans: Span[]): { span: Span; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, Span[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const out: { span: Span; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs)) {
      out.push({ span: s, depth });
      walk(s.spanId, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

async function readEvent(stream: DeliveryStream, id: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = await stream.read(deadline - Date.now());
    if (!line) break;
    if (line.type === 'event' && line.event.id === id) return;
  }
  throw new Error(`event ${id} was not delivered within ${timeoutMs} ms`);
}

export async function traceDemo(): Promise<void> {
  const otlp = await receiver();
  const services = ['registry', 'clearing', 'exchange', 'cps-sim'] as const;
  const db = await freshDatabase(here, 'trace-demo');
  const secrets = await generateSecrets();
  const topicPrefix = `trace-demo-${randomBytes(3).toString('hex')}`;
  const platform = await startPlatform({
    root: here,
    databaseUrl: db.url,
    kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    topicPrefix,
    basePort: Number(process.env.TRACE_DEMO_BASE_PORT ?? 5750),
    logDir: `${here}/.renkei/logs/${topicPrefix}`,
    logLevel: 'warn',
    secrets,
    env: Object.fromEntries(
      services.map((s) => [s, { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: '200' }]),
    ),
  }).catch(async (error: unknown) => {
    await db.drop();
    otlp.close();
    throw error;
  });
  const admin = new RenkeiClient(platform.endpoints, {
    clientId: 'consortium-admin',
    privateJwk: secrets.adminKey,
  });
  const traceId = randomBytes(16).toString('hex');
  const eventId = randomUUID();
  let client: { startMs: number; endMs: number };
  try {
    const [kc, ka] = [await key('cell'), await key('auto')];
    const c = await admin.onboard({ ...cellMaker, jwks: { keys: [pub(kc)] } });
    const a = await admin.onboard({ ...automaker, jwks: { keys: [pub(ka)] } });
    const cell = new RenkeiClient(platform.endpoints, { clientId: c.id, privateJwk: kc });
    const auto = new RenkeiClient(platform.endpoints, { clientId: a.id, privateJwk: ka });
    await cell.registerContract(batteryCfpContract);
    const grant = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    await cell.approveGrant(grant.id);
    const stream = await auto.stream(
      'battery.cfp',
      await auto.datasetToken('battery.cfp', 'subscribe', grant.id),
    );
    const token = await cell.datasetToken('battery.cfp', 'publish');
    // A warm-up event first, so the one traced does not pay for the topic's first use.
    await cell.publish('battery.cfp', token, [
      { subject: 'lot-0', payload: { lotId: 'lot-0', cellModel: 'X', cfpKgCo2ePerKwh: 60 } },
    ]);
    await sleep(1000);
    const t0 = Date.now();
    const res = await fetch(`${platform.endpoints.exchange}/datasets/battery.cfp/events`, {
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
    if (res.status !== 202) throw new Error(`publish answered ${res.status}: ${await res.text()}`);
    await readEvent(stream, eventId);
    client = { startMs: t0, endMs: Date.now() };
    stream.close();
    // The services export every 200 ms: wait until the delivery span is in.
    const deadline = Date.now() + 10_000;
    while (
      Date.now() < deadline &&
      !otlp.spans.some((s) => s.traceId === traceId && s.name === 'exchange.deliver')
    )
      await sleep(200);
    await sleep(500);
  } finally {
    await platform.stop();
    await db.drop();
    otlp.close();
  }

  const spans = otlp.spans.filter((s) => s.traceId === traceId);
  if (!spans.some((s) => s.name === 'exchange.deliver'))
    throw new Error('no exchange.deliver span was exported');
  const ordered = treeOrder(spans);
  const origin = Math.min(client.startMs, ...spans.map((s) => s.startMs));
  const end = Math.max(client.endMs, ...spans.map((s) => s.endMs));
  const width = 40;
  const bar = (from: number, to: number) => {
    const a = Math.floor(((from - origin) / (end - origin)) * width);
    const b = Math.max(a + 1, Math.ceil(((to - origin) / (end - origin)) * width));
    return ' '.repeat(a) + '█'.repeat(b - a) + ' '.repeat(Math.max(0, width - b));
  };
  const fmt = (ms: number) => `${ms.toFixed(1).padStart(7)} ms`;
  const produced = spans.find((s) => s.name === 'kafka.produce data');
  const delivered = spans.find((s) => s.name === 'exchange.deliver');
  const rows = [
    {
      label: 'publish request → event read off the stream',
      service: 'client',
      startMs: client.startMs,
      endMs: client.endMs,
      depth: 0,
    },
    ...ordered.map(({ span, depth }) => ({
      label: `${'↳ '.repeat(depth)}${span.service}: ${span.name}`,
      service: span.service,
      startMs: span.startMs,
      endMs: span.endMs,
      depth: depth + 1,
    })),
    // Not a span: the time between the produce request's acknowledgement and the delivery span's start
    // (the broker, the exchange's shared feed consumer, the stream's policy check), derived from the two.
    ...(produced && delivered && delivered.startMs > produced.endMs
      ? [
          {
            label: '(derived) acknowledged by Kafka → delivery begins',
            service: 'derived',
            startMs: produced.endMs,
            endMs: delivered.startMs,
            depth: 0,
          },
        ]
      : []),
  ];
  console.log(
    `trace ${traceId}: ${spans.length} spans from ${[...new Set(spans.map((s) => s.service))].join(', ')}\n`,
  );
  console.log(
    `${'service'.padEnd(9)} ${'span'.padEnd(44)} ${'start'.padStart(10)} ${'duration'.padStart(10)}  waterfall`,
  );
  for (const r of rows)
    console.log(
      `${r.service.padEnd(9)} ${r.label.slice(0, 44).padEnd(44)} ${fmt(r.startMs - origin)} ${fmt(r.endMs - r.startMs)}  |${bar(r.startMs, r.endMs)}|`,
    );
  const svg = await renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'One event from publish to delivery: one trace across the services and Kafka',
      subtitle: `trace ${traceId} · ${spans.length} spans exported over OTLP by the services, plus the client's own view`,
    },
    width: 560,
    height: { step: 22 },
    data: {
      values: rows.map((r, i) => ({
        row: `${String(i).padStart(2, '0')} ${r.label}`,
        service: r.service,
        start: Math.round((r.startMs - origin) * 10) / 10,
        end: Math.round((Math.max(r.endMs, r.startMs + 0.2) - origin) * 10) / 10,
        duration: `${(r.endMs - r.startMs).toFixed(1)} ms`,
      })),
    },
    layer: [
      {
        mark: { type: 'bar', height: 14 },
        encoding: {
          y: {
            field: 'row',
            type: 'ordinal',
            sort: null,
            title: null,
            axis: {
              labelExpr: 'substring(datum.label, 3)',
              labelLimit: 360,
              labelFont: 'DejaVu Sans Mono, monospace',
            },
          },
          x: {
            field: 'start',
            type: 'quantitative',
            title: 'milliseconds since the publish request was sent',
          },
          x2: { field: 'end' },
          color: { field: 'service', type: 'nominal', title: 'service' },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
        encoding: {
          y: { field: 'row', type: 'ordinal', sort: null },
          x: { field: 'end', type: 'quantitative' },
          text: { field: 'duration' },
        },
      },
    ],
    config: { font: 'DejaVu Sans, sans-serif' },
  });
  mkdirSync(`${here}/docs/images`, { recursive: true });
  writeFileSync(`${here}/docs/images/trace-publish-to-delivery.svg`, svg);
  console.log('\nwritten: docs/images/trace-publish-to-delivery.svg');
}

if (import.meta.url === `file://${process.argv[1]}`) await traceDemo();
