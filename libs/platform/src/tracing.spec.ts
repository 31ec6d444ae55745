import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import {
  collectedSpans,
  contextFrom,
  currentTraceparent,
  inSpan,
  recordSpan,
  resetCollectedSpans,
  startTracing,
  traceFields,
  tracingEnabled,
} from './tracing.js';

describe('tracing off (the default)', () => {
  it('starts nothing without OTEL_EXPORTER_OTLP_ENDPOINT or TRACING=on, and every helper is a no-op', () => {
    expect(startTracing('test', {})).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    expect(inSpan('work', (span) => span)).toBeUndefined();
    expect(currentTraceparent()).toBeUndefined();
    expect(traceFields()).toEqual({});
  });
});

describe('tracing on (TRACING=on, spans kept in process)', () => {
  let stop: (() => Promise<void>) | undefined;
  beforeAll(() => {
    stop = startTracing('test', { TRACING: 'on' });
  });
  afterAll(async () => stop?.());

  it('nests spans, propagates the W3C traceparent and continues a trace from one', async () => {
    resetCollectedSpans();
    let sent: string | undefined;
    await inSpan('publish', async () => {
      await Promise.resolve();
      sent = inSpan('produce', () => currentTraceparent());
    });
    expect(sent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // The consumer side: a span recorded under the traceparent a message carried.
    recordSpan('deliver', sent, Date.now() - 5);
    const spans = await collectedSpans();
    const byName = (n: string) => spans.find((s) => s.name === n)!;
    const [, traceId, produceSpanId] = sent!.split('-');
    expect(byName('publish').spanContext().traceId).toBe(traceId);
    expect(byName('produce').parentSpanContext?.spanId).toBe(byName('publish').spanContext().spanId);
    expect(byName('produce').spanContext().spanId).toBe(produceSpanId);
    expect(byName('deliver').spanContext().traceId).toBe(traceId);
    expect(byName('deliver').parentSpanContext?.spanId).toBe(produceSpanId);
  });

  it('ignores an invalid traceparent (a new trace, not a crash)', async () => {
    resetCollectedSpans();
    inSpan('x', () => undefined, { parent: contextFrom('not-a-traceparent') });
    expect((await collectedSpans())[0]?.parentSpanContext).toBeUndefined();
  });

  it('marks a failing span and throws the error on', async () => {
    resetCollectedSpans();
    await expect(inSpan('fails', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect((await collectedSpans())[0]?.status.code).toBe(2); // SpanStatusCode.ERROR
  });

  it('writes trace_id and span_id on log lines while a span is active, none outside', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('test', 'info', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const ids = inSpan('logged', (span) => {
      logger.info('inside');
      return span!.spanContext();
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
    expect(lines[1]).not.toHaveProperty('trace_id');
  });
});
