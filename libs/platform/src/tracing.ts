import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Tracing is off unless configured: `OTEL_EXPORTER_OTLP_ENDPOINT` (spans go to that collector over OTLP/HTTP
 * JSON, batched) or `TRACING=on` (spans kept in process, readable with `collectedSpans()`: tests). Off,
 * every helper here is a cheap no-op: the API's tracer makes non-recording spans and nothing is injected.
 */
export interface TracingSettings {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  TRACING?: string;
  /** Milliseconds between two exports of batched spans (default 5000). */
  OTEL_BSP_SCHEDULE_DELAY?: string;
  /** Share of new traces kept, 0..1 (default 1); a trace begun upstream follows its parent's choice. */
  OTEL_TRACES_SAMPLER_ARG?: string;
}

/** A positive number from the environment, or undefined (the SDK's default) when unset or not a number. */
const positive = (value: string | undefined): number | undefined => {
  const n = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
};

let sdk: NodeSDK | undefined;
let memory: { exporter: InMemorySpanExporter; processor: SpanProcessor } | undefined;
let enabled = false;

/** True once startTracing() turned tracing on: the hot paths check this before doing any tracing work. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** Starts the OpenTelemetry SDK for `service` if the environment asks for it; returns its shutdown (flush). */
export function startTracing(
  service: string,
  env: TracingSettings = process.env,
): (() => Promise<void>) | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const on = env.TRACING?.trim().toLowerCase() === 'on';
  if (sdk || (!endpoint && !on)) return undefined;
  let processor: SpanProcessor;
  if (endpoint) {
    // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT itself and appends /v1/traces.
    const delay = positive(env.OTEL_BSP_SCHEDULE_DELAY);
    processor = new BatchSpanProcessor({
      exporter: new OTLPTraceExporter(),
      ...(delay !== undefined ? { scheduledDelayMillis: delay } : {}),
    });
  } else {
    const exporter = new InMemorySpanExporter();
    processor = new SimpleSpanProcessor({ exporter });
    memory = { exporter, processor };
  }
  const ratio = positive(env.OTEL_TRACES_SAMPLER_ARG);
  sdk = new NodeSDK({
    ...(ratio !== undefined && ratio < 1
      ? { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }) }
      : {}),
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    spanProcessors: [processor],
    textMapPropagator: new W3CTraceContextPropagator(),
    // No auto-instrumentation: the platform opens its spans itself (HTTP, Kafka, policy, delivery), so
    // what a trace shows is what docs/operations.md lists, and nothing patches modules at load time.
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  enabled = true;
  return async () => {
    const stopping = sdk;
    sdk = undefined;
    memory = undefined;
    enabled = false;
    await stopping?.shutdown();
  };
}

/** The spans ended so far (TRACING=on without an endpoint), once exported; empty otherwise. */
export async function collectedSpans(): Promise<ReadableSpan[]> {
  if (!memory) return [];
  // The processor exports once the resource's detected attributes are in: flush to see every ended span.
  await memory.processor.forceFlush();
  return [...memory.exporter.getFinishedSpans()];
}

/** Forgets the collected spans (between tests). */
export function resetCollectedSpans(): void {
  memory?.exporter.reset();
}

export function tracer(): Tracer {
  return trace.getTracer('renkei');
}

/** The W3C `traceparent` of the active span (or of `ctx`), or undefined when there is none or tracing is off. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** The context a `traceparent` (e.g. from a Kafka header) names; the root context when absent or invalid. */
export function contextFrom(traceparent: string | undefined | null): Context {
  if (!enabled || !traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/**
 * Runs `work` in a span named `name` (a child of the active span, or of `parent`), ended when `work`
 * settles; an error marks the span and is thrown on. Off, `work` runs as it is.
 */
export function inSpan<T>(
  name: string,
  work: (span: Span | undefined) => T,
  options: { parent?: Context; kind?: SpanKind; attributes?: Record<string, string | number | boolean> } = {},
): T {
  if (!enabled) return work(undefined);
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} },
    options.parent ?? context.active(),
  );
  const fail = (error: unknown) => {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : 'error' });
    span.end();
    throw error;
  };
  try {
    const result = context.with(trace.setSpan(options.parent ?? context.active(), span), () => work(span));
    if (result instanceof Promise) {
      return result.then((value: unknown) => {
        span.end();
        return value;
      }, fail) as T;
    }
    span.end();
    return result;
  } catch (error) {
    return fail(error);
  }
}

/** The trace and span ids of the active span, for log lines; empty when there is none. */
export function traceFields(): { trace_id?: string; span_id?: string } {
  if (!enabled) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

const REQUEST_SPAN = Symbol('renkei.span');
type Traced = FastifyRequest & { [REQUEST_SPAN]?: Span };

/**
 * A server span per HTTP request (an incoming `traceparent` is its parent), named by the route template
 * once it is known. The handler runs in the span's context (entered in preHandler, after the body was
 * read), so the spans and Kafka messages it makes belong to the request's trace.
 */
export function installHttpTracing(fastify: FastifyInstance): void {
  if (!enabled) return;
  fastify.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.traceparent;
    const parent = propagation.extract(ROOT_CONTEXT, {
      traceparent: Array.isArray(header) ? header[0] : header,
    });
    (request as Traced)[REQUEST_SPAN] = tracer().startSpan(
      `${request.method} ${request.routeOptions.url ?? '(unmatched)'}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': request.routeOptions.url ?? '' },
      },
      parent,
    );
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const span = (request as Traced)[REQUEST_SPAN];
    if (!span) return done();
    context.with(trace.setSpan(ROOT_CONTEXT, span), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = (request as Traced)[REQUEST_SPAN];
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}

/**
 * A span that already happened: from `startedAt` (epoch ms) until now, as a child of the trace `traceparent`
 * names (e.g. a Kafka message's header). Off, or without a traceparent, nothing is recorded.
 */
export function recordSpan(
  name: string,
  traceparent: string | undefined,
  startedAt: number,
  attributes: Record<string, string | number | boolean> = {},
  kind: SpanKind = SpanKind.CONSUMER,
): void {
  if (!enabled || !traceparent) return;
  tracer().startSpan(name, { kind, attributes, startTime: startedAt }, contextFrom(traceparent)).end();
}
