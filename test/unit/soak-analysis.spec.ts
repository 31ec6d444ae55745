/**
 * The arithmetic behind the soak's verdict (bench/soak.ts), the dashboard picture (bench/dashboard.ts)
 * and the trace demo (bench/trace-demo.ts): a leak must read as growing and a sawtooth as flat, and the
 * dashboard's queries must be the dashboard's own.
 */
import { describe, expect, it } from 'vitest';
import { majorGcs, memoryVerdicts, readSeries, regression } from '../../bench/soak.js';
import { expand, legend, scrapeConfig } from '../../bench/dashboard.js';
import { treeOrder, type Span } from '../../bench/trace-demo.js';

/** Samples every 10 s over `minutes`: a V8-like sawtooth (garbage piling up to a full GC) on `floor(t)`. */
function samples(minutes: number, floor: (t: number) => number, garbagePerSecond = (_t: number) => 1.5) {
  const out = [];
  let gcs = 0;
  for (let t = 10; t <= minutes * 60; t += 10) {
    const phase = t % 120; // a full collection every 2 minutes
    if (phase === 0) gcs++;
    const heap = floor(t) + phase * garbagePerSecond(t); // garbage piling up until the next one
    out.push({
      t,
      memory: { exchange: { rssMiB: heap + 150, heapUsedMiB: heap, loopLagP99Ms: 10, majorGcs: gcs } },
      publishedPerSecond: 500,
      deliveredPerSecond: 1500,
      latencyP50Ms: 20,
      latencyP99Ms: 200,
      consumerLagData: 0,
      refused: 0,
      streamsOpen: 3,
      loadAverage1m: 1,
      clientRssMiB: 100,
    });
  }
  return out;
}

const options = { minutes: 30, warmupFraction: 1 / 3, maxHeapSlopeMiBPer10Min: 4, floorWindowSeconds: 300 };

describe('soak memory verdict', () => {
  it('fits a line: slope and intercept of exact points', () => {
    const r = regression([0, 1, 2, 3].map((x) => ({ x, y: 5 + 2 * x })));
    expect(r.slope).toBeCloseTo(2);
    expect(r.intercept).toBeCloseTo(5);
    expect(r.slopeStdErr).toBeCloseTo(0);
  });

  it('reads a sawtooth over a constant live heap as flat, from the heap after each full collection', () => {
    // V8 lets more garbage pile up as the run goes on (its limit grows): the peaks rise, the floor does not.
    const [v] = memoryVerdicts(
      samples(
        30,
        () => 80,
        (t) => 0.5 + t / 600,
      ),
      options,
    );
    expect(v!.heapSlopeMiBPer10Min).toBeGreaterThan(20);
    expect(v!.heapFloorMethod).toBe('after major GC');
    expect(v!.heapFloors).toBeGreaterThanOrEqual(9);
    expect(Math.abs(v!.heapFloorSlopeMiBPer10Min)).toBeLessThan(0.5);
    expect(v!.flat).toBe(true);
  });

  it('reads a live heap growing 10 MiB per 10 minutes under the sawtooth as growing', () => {
    const [v] = memoryVerdicts(
      samples(30, (t) => 80 + (10 * t) / 600),
      options,
    );
    expect(v!.heapFloorSlopeMiBPer10Min).toBeCloseTo(10, 0);
    expect(v!.flat).toBe(false);
  });

  it('falls back to the lowest sample per window when a service never collects', () => {
    const quiet = samples(30, () => 50).map((s) => ({
      ...s,
      memory: { registry: { ...s.memory.exchange, heapUsedMiB: 50, majorGcs: 0 } },
    }));
    const [v] = memoryVerdicts(quiet, options);
    expect(v!.heapFloorMethod).toBe('lowest per 300 s');
    expect(v!.flat).toBe(true);
  });

  it('reads the memory series and counts full collections from a Prometheus exposition', () => {
    const text = [
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      'process_resident_memory_bytes 104857600',
      'nodejs_heap_size_used_bytes 52428800',
      'nodejs_gc_duration_seconds_count{kind="minor"} 900',
      'nodejs_gc_duration_seconds_count{kind="major"} 3',
      'nodejs_gc_duration_seconds_count{kind="incremental"} 2',
    ].join('\n');
    expect(readSeries(text, ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes'])).toEqual({
      process_resident_memory_bytes: 104857600,
      nodejs_heap_size_used_bytes: 52428800,
    });
    expect(majorGcs(text)).toBe(5);
    expect(majorGcs('process_cpu_seconds_total 1')).toBeNull();
  });
});

describe('dashboard picture', () => {
  it("runs each panel's own query with $job = All and a 1-minute rate interval", () => {
    expect(
      expand(
        'sum by (job) (rate(renkei_http_request_duration_seconds_count{job=~"$job"}[$__rate_interval]))',
        10,
      ),
    ).toBe('sum by (job) (rate(renkei_http_request_duration_seconds_count{job=~".*"}[1m]))');
    expect(expand('increase(x{job=~"$job"}[$__range])', 10)).toBe('increase(x{job=~".*"}[10m])');
  });

  it("names series by the panel's legend format, else by their labels", () => {
    expect(legend('p99 {{topic}}', { topic: 'data' }, 'B')).toBe('p99 data');
    expect(legend(undefined, { __name__: 'x', job: 'renkei-exchange' }, 'A')).toBe('job=renkei-exchange');
    expect(legend(undefined, {}, 'A')).toBe('A');
  });

  it('scrapes the four services under the job names of infra/prometheus/prometheus.yml', () => {
    const config = scrapeConfig(5700);
    for (const [i, s] of ['registry', 'clearing', 'exchange', 'cps-sim'].entries()) {
      expect(config).toContain(`job_name: renkei-${s}`);
      expect(config).toContain(`127.0.0.1:${5700 + i}`);
    }
  });
});

describe('trace demo', () => {
  it('orders spans as a tree: parents before children, siblings by start time', () => {
    const span = (spanId: string, parentSpanId: string | null, startMs: number): Span => ({
      service: 'exchange',
      traceId: 't',
      spanId,
      parentSpanId,
      name: spanId,
      startMs,
      endMs: startMs + 1,
      attributes: {},
    });
    const order = treeOrder([
      span('deliver', 'produce', 30),
      span('produce', 'post', 20),
      span('policy', 'post', 10),
      span('post', 'client-span-not-exported', 0),
    ]);
    expect(order.map((o) => `${o.depth}:${o.span.name}`)).toEqual([
      '0:post',
      '1:policy',
      '1:produce',
      '2:deliver',
    ]);
  });
});
