/**
 * Soak (issue 15): the whole platform under a steady load for a long time, to show that no service's
 * memory grows with the events it has handled.
 *
 * It starts the four services as processes (test/support/platform.ts, the same as the e2e tests and the
 * demo) on a fresh database and its own topic prefix, creates through the public API an originator with
 * the battery.cfp contract and SOAK_SUBSCRIBERS consumers with an approved grant each, opens one delivery
 * stream per consumer, then publishes SOAK_RATE events per second (in publications of SOAK_BATCH events)
 * through the exchange for SOAK_MINUTES minutes. Every SOAK_SAMPLE_S seconds it reads each service's
 * /metrics (prom-client's `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`,
 * `nodejs_eventloop_lag_p99_seconds`; the exchange's `renkei_kafka_consumer_lag{topic="data"}`) and
 * records the window's achieved publish and delivery rates, publish → delivery latency (from the start
 * of the publish request to the line arriving on the stream), refusals and stream ends.
 *
 * At the end it stops publishing, waits until every stream has every acknowledged event (or SOAK_DRAIN_S),
 * and checks by event (a sequence number in the payload's lotId) that each stream received each
 * acknowledged event exactly once.
 *
 * Verdict "memory flat": for every service, the slope of V8 heap used over the time after the warm-up
 * (the first third of the run; a least-squares line) is at most SOAK_MAX_HEAP_SLOPE MiB per 10 minutes.
 * The report also gives the slope's standard error, the RSS slope, and the ratio of the mean of the last
 * 5 minutes to that of the first 5 minutes after warm-up (shorter windows on short runs).
 *
 * `npm run bench:soak` (SOAK_MINUTES=3 for a short run). Writes docs/bench/soak-<date>[-quick].json and
 * docs/bench/soak-<date>[-quick].svg (memory per service over time); a run shorter than 30 minutes is
 * "quick".
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { RenkeiClient, RenkeiError } from '@renkei/sdk';
import { freshDatabase } from '../test/support/database.js';
import { generateSecrets, startPlatform, type Service } from '../test/support/platform.js';
import { corporateNumber, participantKey, publicJwk } from '../test/support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../test/fixtures/battery-cfp.js';
import { linePanels, renderSvg } from './chart.js';
import { writeReport } from './report.js';
import { round, summarise } from './stats.js';

const here = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const log = (s: string) => console.error(`[bench:soak] ${new Date().toISOString().slice(11, 19)} ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DATASET = batteryCfpContract.dataset;
const MiB = 2 ** 20;

function num(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} expects a positive number, got ${v}`);
  return n;
}

export interface SoakOptions {
  rate: number;
  minutes: number;
  subscribers: number;
  batch: number;
  sampleSeconds: number;
  basePort: number;
  maxHeapSlopeMiBPer10Min: number;
  warmupFraction: number;
  drainSeconds: number;
  maxInflight: number;
  /** The window whose lowest heap-used sample is one point of the floor line. */
  floorWindowSeconds: number;
}

export function soakOptions(): SoakOptions {
  return {
    rate: num('SOAK_RATE', 500),
    minutes: num('SOAK_MINUTES', 30),
    subscribers: num('SOAK_SUBSCRIBERS', 3),
    batch: num('SOAK_BATCH', 25),
    sampleSeconds: num('SOAK_SAMPLE_S', 10),
    basePort: num('SOAK_BASE_PORT', num('RENKEI_E2E_BASE_PORT', 5700)),
    maxHeapSlopeMiBPer10Min: num('SOAK_MAX_HEAP_SLOPE', 4),
    warmupFraction: num('SOAK_WARMUP_FRACTION', 1 / 3),
    drainSeconds: num('SOAK_DRAIN_S', 60),
    maxInflight: num('SOAK_MAX_INFLIGHT', 64),
    floorWindowSeconds: num('SOAK_FLOOR_WINDOW_S', 300),
  };
}

// ------------------------------------------------------------------ /metrics

/** The first sample of each named series (summed over label sets when `sum`). */
export function readSeries(text: string, names: string[], sum = false): Record<string, number | null> {
  const out: Record<string, number | null> = Object.fromEntries(names.map((n) => [n, null]));
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (!m || !(m[1]! in out)) continue;
    const v = Number(m[3]);
    if (!Number.isFinite(v)) continue;
    if (out[m[1]!] === null) out[m[1]!] = v;
    else if (sum) out[m[1]!]! += v;
  }
  return out;
}

/**
 * Full (mark-compact) collections so far: prom-client's `nodejs_gc_duration_seconds_count` of kind
 * `major` plus `incremental` (a mark-compact finished by incremental marking is reported as the latter).
 */
export function majorGcs(text: string): number | null {
  let found = false;
  let n = 0;
  for (const m of text.matchAll(
    /^nodejs_gc_duration_seconds_count\{[^}]*kind="(major|incremental)"[^}]*\} (\S+)/gm,
  )) {
    found = true;
    n += Number(m[2]);
  }
  return found ? n : null;
}

async function scrape(url: string): Promise<string | null> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ analysis

/** Least-squares line through (x, y): slope, its standard error, intercept. */
export function regression(points: { x: number; y: number }[]): {
  slope: number;
  slopeStdErr: number;
  intercept: number;
} {
  const n = points.length;
  if (n < 3) return { slope: NaN, slopeStdErr: NaN, intercept: NaN };
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const residual = points.reduce((s, p) => s + (p.y - intercept - slope * p.x) ** 2, 0);
  return { slope, slopeStdErr: Math.sqrt(residual / (n - 2) / sxx), intercept };
}

interface Sample {
  /** Seconds since publishing began. */
  t: number;
  memory: Record<
    string,
    {
      rssMiB: number | null;
      heapUsedMiB: number | null;
      loopLagP99Ms: number | null;
      majorGcs: number | null;
    }
  >;
  publishedPerSecond: number;
  deliveredPerSecond: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  consumerLagData: number | null;
  refused: number;
  streamsOpen: number;
  loadAverage1m: number;
  clientRssMiB: number;
}

export interface MemoryVerdict {
  service: string;
  heapFloorSlopeMiBPer10Min: number;
  heapFloorSlopeStdErr: number;
  heapFloors: number;
  heapFloorMethod: string;
  heapAfterMajorGc: { minute: number; MiB: number }[];
  heapSlopeMiBPer10Min: number;
  heapSlopeStdErr: number;
  rssSlopeMiBPer10Min: number;
  heapFirstMiB: number;
  heapLastMiB: number;
  heapLastOverFirst: number;
  rssFirstMiB: number;
  rssLastMiB: number;
  rssLastOverFirst: number;
  windowMinutes: number;
  flat: boolean;
}

/** The memory verdict per service from the samples (see the file's comment). */
export function memoryVerdicts(
  samples: Sample[],
  o: Pick<SoakOptions, 'minutes' | 'warmupFraction' | 'maxHeapSlopeMiBPer10Min' | 'floorWindowSeconds'>,
): MemoryVerdict[] {
  const services = Object.keys(samples[0]?.memory ?? {});
  const warmup = o.minutes * 60 * o.warmupFraction;
  const after = samples.filter((s) => s.t >= warmup);
  const span = (after.at(-1)?.t ?? 0) - (after[0]?.t ?? 0);
  // 5-minute windows at each end of the measured part, or a third of it on a short run.
  const window = Math.min(300, span / 3);
  const mean = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  };
  return services.map((service) => {
    const heap = after
      .filter((s) => s.memory[service]?.heapUsedMiB != null)
      .map((s) => ({ x: s.t / 600, y: s.memory[service]!.heapUsedMiB! }));
    const rss = after
      .filter((s) => s.memory[service]?.rssMiB != null)
      .map((s) => ({ x: s.t / 600, y: s.memory[service]!.rssMiB! }));
    // V8 leaves garbage in the old space until its next major collection, so single samples ride a
    // sawtooth; what is retained shows right after a major collection. The points: each sample taken
    // after the service's count of major collections went up (within one sample interval of it).
    const postGc: { x: number; y: number }[] = [];
    for (const [i, sample] of samples.entries()) {
      if (i === 0 || sample.t < warmup) continue;
      const now = sample.memory[service];
      const before = samples[i - 1]!.memory[service];
      if (
        now?.heapUsedMiB != null &&
        now.majorGcs != null &&
        before?.majorGcs != null &&
        now.majorGcs > before.majorGcs
      )
        postGc.push({ x: sample.t / 600, y: now.heapUsedMiB });
    }
    // Fewer than 3 of them (a quiet service): the lowest sample of each window instead.
    const floors: { x: number; y: number }[] = [];
    for (let w0 = after[0]?.t ?? 0; w0 < (after.at(-1)?.t ?? 0); w0 += o.floorWindowSeconds) {
      const inWindow = heap.filter((p) => p.x * 600 >= w0 && p.x * 600 < w0 + o.floorWindowSeconds);
      if (inWindow.length) floors.push(inWindow.reduce((a, b) => (b.y < a.y ? b : a)));
    }
    const floorMethod = postGc.length >= 3 ? 'after major GC' : `lowest per ${o.floorWindowSeconds} s`;
    const chosen = postGc.length >= 3 ? postGc : floors;
    const f = regression(chosen);
    const h = regression(heap);
    const r = regression(rss);
    const first = after.filter((s) => s.t <= after[0]!.t + window);
    const last = after.filter((s) => s.t >= after.at(-1)!.t - window);
    const heapFirst = mean(first.map((s) => s.memory[service]?.heapUsedMiB ?? null));
    const heapLast = mean(last.map((s) => s.memory[service]?.heapUsedMiB ?? null));
    const rssFirst = mean(first.map((s) => s.memory[service]?.rssMiB ?? null));
    const rssLast = mean(last.map((s) => s.memory[service]?.rssMiB ?? null));
    return {
      service,
      heapFloorSlopeMiBPer10Min: round(f.slope),
      heapFloorSlopeStdErr: round(f.slopeStdErr),
      heapFloors: chosen.length,
      heapFloorMethod: floorMethod,
      heapAfterMajorGc: postGc.map((p) => ({ minute: round(p.x * 10, 2), MiB: p.y })),
      heapSlopeMiBPer10Min: round(h.slope),
      heapSlopeStdErr: round(h.slopeStdErr),
      rssSlopeMiBPer10Min: round(r.slope),
      heapFirstMiB: round(heapFirst, 1),
      heapLastMiB: round(heapLast, 1),
      heapLastOverFirst: round(heapLast / heapFirst, 3),
      rssFirstMiB: round(rssFirst, 1),
      rssLastMiB: round(rssLast, 1),
      rssLastOverFirst: round(rssLast / rssFirst, 3),
      windowMinutes: round(window / 60, 1),
      flat: Number.isFinite(f.slope) && f.slope <= o.maxHeapSlopeMiBPer10Min,
    };
  });
}

// ------------------------------------------------------------------ stream clients (raw NDJSON)

interface Subscriber {
  index: number;
  status: number | null;
  /** received[seq] = 1 once, 2+ when delivered again. */
  received: Uint8Array;
  count: number;
  duplicates: number;
  live: boolean;
  end: string | null;
  request: http.ClientRequest;
}

function openStream(
  agent: http.Agent,
  exchange: string,
  token: string,
  index: number,
  prefix: string,
  capacity: number,
  onEvent: (seq: number, at: number) => void,
): Subscriber {
  const url = new URL(`${exchange}/datasets/${DATASET}/stream`);
  const sub = {
    index,
    status: null,
    received: new Uint8Array(capacity),
    count: 0,
    duplicates: 0,
    live: false,
    end: null,
  } as Omit<Subscriber, 'request'> as Subscriber;
  const marker = `${prefix}-`;
  sub.request = http.get(
    {
      agent,
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      headers: { authorization: `Bearer ${token}` },
    },
    (res) => {
      sub.status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (!line || sub.status !== 200) continue;
          const parsed = JSON.parse(line) as {
            type: string;
            code?: string;
            event?: { payload?: { lotId?: unknown } };
          };
          if (parsed.type === 'event') {
            sub.live = true;
            const id = String(parsed.event?.payload?.lotId);
            if (!id.startsWith(marker)) continue; // warm-up and probes
            const seq = Number(id.slice(marker.length));
            if (!Number.isInteger(seq) || seq < 0 || seq >= capacity) continue;
            if (sub.received[seq]! > 0) sub.duplicates++;
            else {
              sub.count++;
              onEvent(seq, performance.now());
            }
            sub.received[seq] = Math.min(255, sub.received[seq]! + 1);
          } else if (parsed.type === 'end') {
            sub.end = parsed.code ?? 'END';
          }
        }
      });
      res.on('end', () => (sub.end ??= `STREAM.CLOSED (HTTP ${sub.status})`));
    },
  );
  sub.request.on('error', (error: NodeJS.ErrnoException) => (sub.end ??= `CLIENT.${error.code ?? 'ERROR'}`));
  return sub;
}

const payload = (lotId: string) => ({
  lotId,
  cellModel: 'KCW-NMC811-50Ah',
  cfpKgCo2ePerKwh: 61.2,
  unitPriceJpy: 9800,
});

/** Error lines (pino level ≥ 50) in a service's log, counted by message. */
function errorLines(file: string): Record<string, number> {
  const counts: Record<string, number> = {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return counts;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) < 50) continue;
      const key = `${entry.msg ?? ''}: ${entry.err?.message ?? ''}`.slice(0, 200);
      counts[key] = (counts[key] ?? 0) + 1;
    } catch {
      // not JSON
    }
  }
  return counts;
}

/** A setup call, repeated while the platform answers 503 (Kafka still warming up on a loaded machine). */
async function retrying<T>(call: () => Promise<T>, attempts = 15): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof RenkeiError) || error.status !== 503 || i >= attempts) throw error;
      log(`setup: ${error.code}, retrying (${i}/${attempts})`);
      await sleep(2000);
    }
  }
}

// ------------------------------------------------------------------ main

export async function soak(o: SoakOptions = soakOptions()): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const quick = o.minutes < 30;
  const prefix = `soak-${randomBytes(3).toString('hex')}`;
  const logDir = `${here}/.renkei/logs/${prefix}`;
  log(
    `${o.rate} events/s for ${o.minutes} min, ${o.subscribers} subscribers, Kafka ${brokers}, ports ${o.basePort}+, logs ${logDir}`,
  );
  const db = await freshDatabase(here, 'bench-soak');
  const secrets = await generateSecrets();
  const platform = await startPlatform({
    root: here,
    databaseUrl: db.url,
    kafkaBrokers: brokers,
    topicPrefix: prefix,
    basePort: o.basePort,
    logDir,
    logLevel: 'warn',
    secrets,
    // Subscribe tokens live 5 minutes by default; a stream ending with TOKEN.EXPIRED would read as loss.
    env: {
      clearing: { DATASET_TOKEN_TTL_S: '3600' },
      // e.g. `--heap-prof --heap-prof-dir=/tmp/x`: where the exchange's retained memory was allocated.
      ...(process.env.SOAK_EXCHANGE_NODE_OPTIONS
        ? { exchange: { NODE_OPTIONS: process.env.SOAK_EXCHANGE_NODE_OPTIONS } }
        : {}),
    },
  }).catch(async (error: unknown) => {
    await db.drop();
    throw error;
  });
  const e = platform.endpoints;
  const urls: Record<string, string> = {
    registry: e.registry,
    clearing: e.clearing,
    exchange: e.exchange,
    'cps-sim': e.cpsSim,
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const subscribers: Subscriber[] = [];
  const samples: Sample[] = [];
  const capacity = Math.ceil(o.rate * o.minutes * 60 * 1.1) + 10 * o.batch;
  const sentAt = new Float64Array(capacity);
  const acked = new Uint8Array(capacity);
  let seq = 0;
  let ackedCount = 0;
  let refused = 0;
  const refusedCodes: Record<string, number> = {};
  const allLatencies: number[] = [];
  let windowLatencies: number[] = [];
  let windowDelivered = 0;
  const onEvent = (s: number, at: number) => {
    windowDelivered++;
    const l = at - sentAt[s]!;
    windowLatencies.push(l);
    allLatencies.push(l);
  };
  let publishSeconds: number;
  let drainSeconds: number;
  try {
    // 1. participants, contract, grants: through the public API, as a member would.
    const admin = new RenkeiClient(e, { clientId: 'consortium-admin', privateJwk: secrets.adminKey });
    const kc = await participantKey('cell');
    const c = await retrying(() => admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(kc)] } }));
    const cell = new RenkeiClient(e, { clientId: c.id, privateJwk: kc });
    await retrying(() => cell.registerContract(batteryCfpContract));
    let publish = { token: await cell.datasetToken(DATASET, 'publish'), at: Date.now() };
    const publishToken = async () => {
      if (Date.now() - publish.at > 120_000)
        publish = { token: await cell.datasetToken(DATASET, 'publish'), at: Date.now() };
      return publish.token;
    };
    const warmUp = await publishToken();
    await retrying(() => cell.publish(DATASET, warmUp, [{ payload: payload('warm-up') }])); // creates the topic
    const tokens: string[] = [];
    for (let i = 0; i < o.subscribers; i++) {
      const key = await participantKey(`consumer-${i}`);
      const p = await retrying(() =>
        admin.onboard({
          ...automaker,
          legalName: `Soak Consumer ${i} K.K.`,
          corporateNumber: corporateNumber(`17${String(900000 + i).padStart(10, '0')}`),
          jwks: { keys: [publicJwk(key)] },
        }),
      );
      const client = new RenkeiClient(e, { clientId: p.id, privateJwk: key });
      const g = await retrying(() => client.requestGrant({ dataset: DATASET, purpose: 'cfp-disclosure' }));
      await retrying(() => cell.approveGrant(g.id));
      tokens.push(await client.datasetToken(DATASET, 'subscribe', g.id));
    }
    log(`onboarded 1 originator and ${o.subscribers} consumers; opening streams`);
    tokens.forEach((t, i) =>
      subscribers.push(openStream(agent, e.exchange, t, i, prefix, capacity, onEvent)),
    );
    const liveDeadline = performance.now() + 60_000;
    let probe = 0;
    while (!subscribers.every((s) => s.live)) {
      if (performance.now() > liveDeadline) throw new Error('not every stream delivered a probe within 60 s');
      if (subscribers.some((s) => s.end))
        throw new Error(`a stream ended: ${subscribers.map((s) => s.end).join(', ')}`);
      await cell.publish(DATASET, await publishToken(), [{ payload: payload(`probe-${probe++}`) }]);
      await sleep(1000);
    }
    log('every stream live; publishing');

    // 2. steady load, sampled every sampleSeconds.
    const interval = (1000 * o.batch) / o.rate;
    const total = Math.floor((o.minutes * 60 * 1000) / interval);
    const inflight = new Set<Promise<void>>();
    const p0 = performance.now();
    const end = p0 + o.minutes * 60_000;
    let sent = 0;
    let nextSample = p0 + o.sampleSeconds * 1000;
    let lastSample = { t: p0, acked: 0, refused: 0 };
    const takeSample = async (now: number) => {
      const memory: Sample['memory'] = {};
      let lag: number | null = null;
      await Promise.all(
        Object.entries(urls).map(async ([name, url]) => {
          const text = await scrape(url);
          const v = text
            ? readSeries(text, [
                'process_resident_memory_bytes',
                'nodejs_heap_size_used_bytes',
                'nodejs_eventloop_lag_p99_seconds',
              ])
            : {};
          memory[name] = {
            rssMiB:
              v.process_resident_memory_bytes != null ? round(v.process_resident_memory_bytes / MiB) : null,
            heapUsedMiB:
              v.nodejs_heap_size_used_bytes != null ? round(v.nodejs_heap_size_used_bytes / MiB) : null,
            loopLagP99Ms:
              v.nodejs_eventloop_lag_p99_seconds != null
                ? round(v.nodejs_eventloop_lag_p99_seconds * 1000)
                : null,
            majorGcs: text ? majorGcs(text) : null,
          };
          if (name === 'exchange' && text) {
            const m = /^renkei_kafka_consumer_lag\{[^}]*topic="data"[^}]*\} (\S+)/m.exec(text);
            lag = m ? Number(m[1]) : 0;
          }
        }),
      );
      const seconds = (now - lastSample.t) / 1000;
      const s = summarise(windowLatencies);
      const sample: Sample = {
        t: round((now - p0) / 1000, 1),
        memory,
        publishedPerSecond: round((ackedCount - lastSample.acked) / seconds, 1),
        deliveredPerSecond: round(windowDelivered / seconds, 1),
        latencyP50Ms: s.n ? round(s.p50) : null,
        latencyP99Ms: s.n ? round(s.p99) : null,
        consumerLagData: lag,
        refused: refused - lastSample.refused,
        streamsOpen: subscribers.filter((x) => x.end === null).length,
        loadAverage1m: round(os.loadavg()[0]!),
        clientRssMiB: round(process.memoryUsage.rss() / MiB),
      };
      samples.push(sample);
      lastSample = { t: now, acked: ackedCount, refused };
      windowLatencies = [];
      windowDelivered = 0;
      const mem = Object.entries(memory)
        .map(([k, m]) => `${k} ${m.heapUsedMiB ?? '?'}/${m.rssMiB ?? '?'}`)
        .join(', ');
      log(
        `t=${Math.round(sample.t)}s published ${sample.publishedPerSecond}/s delivered ${sample.deliveredPerSecond}/s ` +
          `p50 ${sample.latencyP50Ms} p99 ${sample.latencyP99Ms} ms lag ${lag} refused ${sample.refused} ` +
          `streams ${sample.streamsOpen} load ${sample.loadAverage1m} | heap/rss MiB ${mem}`,
      );
    };
    while (performance.now() < end) {
      const now = performance.now();
      if (now >= nextSample) {
        nextSample += o.sampleSeconds * 1000;
        await takeSample(now);
        continue;
      }
      const due = Math.min(total, Math.floor((now - p0) / interval) + 1);
      if (sent < due && inflight.size < o.maxInflight) {
        sent++;
        const at = performance.now();
        const events = Array.from({ length: o.batch }, () => {
          const s = seq++;
          sentAt[s] = at;
          const lotId = `${prefix}-${s}`;
          return { seq: s, body: { subject: lotId, payload: payload(lotId) } };
        });
        const token = await publishToken();
        const p: Promise<void> = cell
          .publish(
            DATASET,
            token,
            events.map((x) => x.body),
          )
          .then(() => {
            for (const x of events) acked[x.seq] = 1;
            ackedCount += events.length;
          })
          .catch((error: unknown) => {
            refused++;
            const code = error instanceof RenkeiError ? error.code : String((error as Error).name);
            refusedCodes[code] = (refusedCodes[code] ?? 0) + 1;
          })
          .finally(() => inflight.delete(p));
        inflight.add(p);
        continue;
      }
      await sleep(Math.max(1, Math.min(nextSample, p0 + sent * interval) - performance.now()));
    }
    await Promise.all(inflight);
    publishSeconds = (performance.now() - p0) / 1000;
    log(
      `published ${ackedCount} events acknowledged (${refused} publications refused) in ${round(publishSeconds)} s; draining`,
    );

    // 3. drain, then check every acknowledged event on every stream.
    const d0 = performance.now();
    const missing = () =>
      subscribers.reduce((sum, s) => sum + (s.end === null ? ackedCount - s.count : 0), 0);
    while (performance.now() - d0 < o.drainSeconds * 1000 && missing() > 0) await sleep(250);
    drainSeconds = (performance.now() - d0) / 1000;
    await sleep(1000); // late duplicates count too
    await takeSample(performance.now());
  } finally {
    for (const s of subscribers) s.request.destroy();
    agent.destroy();
    await platform.stop();
    await db.drop();
  }

  const perStream = subscribers.map((s) => {
    let lost = 0;
    let unacknowledged = 0;
    for (let i = 0; i < seq; i++) {
      if (acked[i] && !s.received[i]) lost++;
      if (!acked[i] && s.received[i]) unacknowledged++;
    }
    return {
      stream: s.index,
      received: s.count,
      lost,
      duplicates: s.duplicates,
      deliveredButNotAcknowledged: unacknowledged,
      end: s.end,
    };
  });
  const memory = memoryVerdicts(samples.slice(0, -1), o); // the last sample is after the drain
  const latency = summarise(allLatencies);
  const totalLost = perStream.reduce((a, s) => a + s.lost, 0);
  const totalDuplicates = perStream.reduce((a, s) => a + s.duplicates, 0);
  const errors = Object.fromEntries(
    (['registry', 'clearing', 'exchange', 'cps-sim'] as Service[]).map((name) => [
      name,
      errorLines(`${logDir}/${name}.log`),
    ]),
  );
  const results = {
    options: o,
    kafkaBrokers: brokers,
    topicPrefix: prefix,
    achieved: {
      publishSeconds: round(publishSeconds, 1),
      eventsSent: seq,
      eventsAcknowledged: ackedCount,
      eventsPerSecond: round(ackedCount / publishSeconds, 1),
      publicationsRefused: refused,
      refusedCodes,
      deliveriesPerSecond: round(allLatencies.length / publishSeconds, 1),
      drainSeconds: round(drainSeconds, 1),
    },
    delivery: {
      expected: ackedCount * subscribers.length,
      delivered: perStream.reduce((a, s) => a + s.received, 0),
      lost: totalLost,
      duplicates: totalDuplicates,
      perStream,
      latencyMs: {
        p50: round(latency.p50),
        p90: round(latency.p90),
        p99: round(latency.p99),
        max: round(latency.max),
      },
    },
    memory,
    verdict: {
      memoryFlat: memory.every((m) => m.flat),
      allDelivered: totalLost === 0 && totalDuplicates === 0,
      rateSustained: ackedCount / publishSeconds >= 0.95 * o.rate,
    },
    errors,
    samples,
  };
  const { file } = writeReport('soak', quick, results);
  const rows = [
    ...samples.slice(0, -1).flatMap((s) =>
      Object.entries(s.memory).flatMap(([service, m]) => [
        { minute: round(s.t / 60, 2), service, metric: 'a. resident set size (MiB)', MiB: m.rssMiB },
        { minute: round(s.t / 60, 2), service, metric: 'b. V8 heap used (MiB)', MiB: m.heapUsedMiB },
      ]),
    ),
    ...memory.flatMap((m) =>
      m.heapAfterMajorGc.map((p) => ({
        ...p,
        service: m.service,
        metric: 'c. V8 heap used after a major GC, after warm-up (MiB)',
      })),
    ),
  ];
  const svg = await renderSvg(
    linePanels({
      title: `Soak ${new Date().toISOString().slice(0, 10)}: ${round(ackedCount / publishSeconds)} events/s × ${subscribers.length} streams for ${round(publishSeconds / 60, 1)} min — memory per service`,
      rows,
      x: { field: 'minute', title: 'minutes since publishing began' },
      y: { field: 'MiB', title: 'MiB' },
      series: 'service',
      panel: 'metric',
    }),
  );
  const svgFile = file.replace(/\.json$/, '.svg');
  writeFileSync(`${here}/${svgFile}`, svg);
  console.log(
    [
      `Soak: ${results.achieved.eventsPerSecond} events/s acknowledged (target ${o.rate}) for ${results.achieved.publishSeconds} s, ${subscribers.length} streams`,
      `delivery: ${results.delivery.delivered}/${results.delivery.expected}, lost ${totalLost}, duplicates ${totalDuplicates}, p50 ${results.delivery.latencyMs.p50} ms, p99 ${results.delivery.latencyMs.p99} ms`,
      ...memory.map(
        (m) =>
          `${m.service}: heap floor slope ${m.heapFloorSlopeMiBPer10Min} ± ${m.heapFloorSlopeStdErr} MiB/10 min over ${m.heapFloors} points (${m.heapFloorMethod}), all samples ${m.heapSlopeMiBPer10Min} ± ${m.heapSlopeStdErr} MiB/10 min (${m.heapFirstMiB} → ${m.heapLastMiB} MiB, ×${m.heapLastOverFirst}), ` +
          `RSS slope ${m.rssSlopeMiBPer10Min} MiB/10 min (${m.rssFirstMiB} → ${m.rssLastMiB} MiB, ×${m.rssLastOverFirst}) ${m.flat ? 'flat' : 'GROWING'}`,
      ),
      `verdict: ${JSON.stringify(results.verdict)}`,
      `written: ${file}, ${svgFile}`,
    ].join('\n'),
  );
  if (!results.verdict.memoryFlat || !results.verdict.allDelivered) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await soak();
