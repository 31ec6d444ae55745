/**
 * Delivery at scale (issue 12): N concurrent delivery streams on ONE exchange process, for each N of a list
 * (default 10, 100, 1,000, 5,000). One originator, one contract (battery.cfp), consumers holding up to
 * `--grants-per-consumer` grants each (the exchange allows one open stream per grant, STREAM.ALREADY_OPEN),
 * fresh grants for every step (requested, approved and tokened through the API, a few calls in flight), and
 * the exchange restarted before every step after the first so each step measures a clean process.
 *
 * Per step it records: the time until every stream answered 200 and until every stream delivered its first
 * event ("live": probes are published every second until each stream has one); the exchange's idle CPU (%
 * of a core, from /proc/<pid>/stat over a window) and RSS per stream; publish → delivery p50/p99 while the
 * exchange delivers `--deliveries` events per second in total (default 1,000) spread across the streams; the
 * share of publications refused; events lost or delivered twice per stream; and this client process's own
 * CPU, so that a client bottleneck would show.
 *
 * "Spread across the streams": with one contract every stream receives every event of the dataset, so the
 * publisher sends deliveries/N events per second (100/s at N = 10, 1/s at N = 1,000), each fanned out to all
 * N streams: the exchange delivers `--deliveries` per second whatever N is. `--rate <events/s>` fixes the
 * published rate instead (every event still goes to all N streams: N × rate deliveries per second).
 *
 * The list stops early when a step fails a bound (not all live within `--live-timeout-s`, p99 above
 * `--max-p99-ms`, more than `--max-refused` of publications refused, any event lost or duplicated) or when
 * the time budget (`--budget-s`) is spent; the report says which and why.
 *
 * Stream clients are raw HTTP/1.1 NDJSON requests on one keep-alive node:http agent (one socket per
 * stream, no SDK client per stream); the SDK is used for the setup and the publisher only.
 *
 * `npm run bench:streams -- --streams 10,100` (or part of `npm run bench`). Another build's services:
 * `--platform-root /path/to/worktree` (built there with `npm run build`); the harness itself runs from here.
 * Results: bench/results/streams-<time>.json and .md (a Markdown table, also on stdout).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { RenkeiClient, RenkeiError } from '@renkei/sdk';
import { freshDatabase } from '../test/support/database.js';
import { generateSecrets, startPlatform, type RunningPlatform } from '../test/support/platform.js';
import { corporateNumber, participantKey, publicJwk } from '../test/support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../test/fixtures/battery-cfp.js';
import { machine } from './report.js';
import { round, summarise } from './stats.js';

const here = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const log = (s: string) => console.error(`[bench:streams] ${new Date().toISOString().slice(11, 19)} ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DATASET = batteryCfpContract.dataset;

export interface StreamBenchOptions {
  streams: number[];
  quick: boolean;
  /** Deliveries per second in total (publish rate = deliveries / N), unless `rate` is set. */
  deliveries: number;
  rate: number | null;
  publishSeconds: number;
  idleSeconds: number;
  liveTimeoutS: number;
  drainTimeoutS: number;
  maxP99Ms: number;
  maxRefused: number;
  budgetS: number;
  grantsPerConsumer: number;
  concurrency: number;
  platformRoot: string;
  basePort: number;
  /** Where the JSON and Markdown results go (default bench/results of this checkout). */
  out: string;
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

export function parseOptions(argv: string[]): StreamBenchOptions {
  const quick = argv.includes('--quick');
  const num = (name: string, fallback: number) => {
    const v = arg(argv, name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} expects a number, got ${v}`);
    return n;
  };
  const list = arg(argv, 'streams') ?? process.env.BENCH_STREAMS ?? (quick ? '10,100' : '10,100,1000,5000');
  const streams = list.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (streams.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--streams: bad list ${list}`);
  const rate = arg(argv, 'rate');
  return {
    streams,
    quick,
    deliveries: num('deliveries', 1000),
    rate: rate === undefined ? null : num('rate', 0),
    publishSeconds: num('seconds', quick ? 10 : 20),
    idleSeconds: num('idle-seconds', quick ? 5 : 10),
    liveTimeoutS: num('live-timeout-s', 60),
    drainTimeoutS: num('drain-timeout-s', 20),
    maxP99Ms: num('max-p99-ms', 10_000),
    maxRefused: num('max-refused', 0.5),
    budgetS: num('budget-s', quick ? 600 : 1500),
    grantsPerConsumer: num('grants-per-consumer', 50),
    concurrency: num('concurrency', 32),
    platformRoot: (arg(argv, 'platform-root') ?? process.env.BENCH_PLATFORM_ROOT ?? here).replace(/\/$/, ''),
    basePort: num('base-port', 4720),
    out: (arg(argv, 'out') ?? `${here}/bench/results`).replace(/\/$/, ''),
  };
}

// ------------------------------------------------------------------ process measurements (/proc)

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * The local Kafka broker's process (a JVM running kafka.Kafka, preferring the one configured for the port
 * of KAFKA_BROKERS), if it runs on this machine: idle streams cost the broker CPU too. It is shared with
 * whatever else uses the broker, so read its figure as an upper bound.
 */
function brokerPid(): number | null {
  const port = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!.split(':').pop();
  const found: { pid: number; mine: boolean }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('kafka.Kafka')) found.push({ pid: Number(entry), mine: cmd.includes(`-${port}/`) });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return (found.find((f) => f.mine) ?? found[0])?.pid ?? null;
}

const cpuOrNaN = (pid: number | null) => {
  try {
    return pid === null ? NaN : cpuSeconds(pid);
  } catch {
    return NaN;
  }
};

/** Starts measuring; the returned function gives the % of one core used since by the exchange, this client and the broker. */
function cpuMeter(pid: number, broker: number | null) {
  const e0 = cpuSeconds(pid);
  const b0 = cpuOrNaN(broker);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const b = (cpuOrNaN(broker) - b0) / seconds;
    return {
      exchange: round(((cpuSeconds(pid) - e0) / seconds) * 100, 1),
      client: round(((c.user + c.system) / 1e6 / seconds) * 100, 1),
      broker: Number.isNaN(b) ? null : round(b * 100, 1),
    };
  };
}

// ------------------------------------------------------------------ stream clients (raw NDJSON)

interface StreamClient {
  index: number;
  grantId: string;
  status: number | null;
  /** The refusal's problem code when the answer was not 200. */
  refusal: string | null;
  answeredAt: number | null;
  firstEventAt: number | null;
  /** lotId → when it arrived (first time). */
  received: Map<string, number>;
  duplicates: number;
  end: string | null;
  request: http.ClientRequest;
}

export function openStream(
  agent: http.Agent,
  exchange: string,
  token: string,
  index: number,
  grantId: string,
  prefix: string,
): StreamClient {
  const url = new URL(`${exchange}/datasets/${DATASET}/stream`);
  const client = {
    index,
    grantId,
    status: null,
    refusal: null,
    answeredAt: null,
    firstEventAt: null,
    received: new Map(),
    duplicates: 0,
    end: null,
  } as Omit<StreamClient, 'request'> as StreamClient;
  client.request = http.get(
    {
      agent,
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      headers: { authorization: `Bearer ${token}` },
    },
    (res) => {
      client.status = res.statusCode ?? 0;
      client.answeredAt = performance.now();
      res.setEncoding('utf8');
      let buffer = '';
      if (client.status !== 200) {
        res.on('data', (chunk: string) => (buffer += chunk));
        res.on('end', () => {
          try {
            client.refusal = String(
              (JSON.parse(buffer) as { code?: string }).code ?? `HTTP.${client.status}`,
            );
          } catch {
            client.refusal = `HTTP.${client.status}`;
          }
        });
        return;
      }
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (!line) continue;
          const at = performance.now();
          const parsed = JSON.parse(line) as {
            type: string;
            code?: string;
            event?: { payload?: { lotId?: unknown } };
          };
          if (parsed.type === 'event') {
            const id = String(parsed.event?.payload?.lotId);
            // Live: the first event of this step (a kept grant may first replay older, uncommitted ones).
            if (id.startsWith(prefix)) client.firstEventAt ??= at;
            if (client.received.has(id)) client.duplicates++;
            else client.received.set(id, at);
          } else if (parsed.type === 'end') {
            client.end = parsed.code ?? 'END';
          }
        }
      });
      res.on('end', () => (client.end ??= 'STREAM.CLOSED'));
    },
  );
  client.request.on('error', (error: NodeJS.ErrnoException) => {
    client.end ??= `CLIENT.${error.code ?? 'ERROR'}`;
    if (client.status === null) client.refusal = `CLIENT.${error.code ?? 'ERROR'}`;
  });
  return client;
}

// ------------------------------------------------------------------ setup through the API

/** Runs `work` over `items` with at most `concurrency` in flight; results in order. */
async function pool<T, R>(items: T[], concurrency: number, work: (item: T, i: number) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!, i);
      }
    }),
  );
  return out;
}

interface Consumer {
  id: string;
  client: RenkeiClient;
}

interface Grant {
  consumer: Consumer;
  id: string;
}

const payload = (lotId: string) => ({
  lotId,
  cellModel: 'KCW-NMC811-50Ah',
  cfpKgCo2ePerKwh: 61.2,
  unitPriceJpy: 9800,
});

// ------------------------------------------------------------------ one step

interface StepResult {
  streams: number;
  ok: boolean;
  failure: string | null;
  setupSeconds: number;
  consumers: number;
  answered200: number;
  refusals: Record<string, number>;
  allAnsweredMs: number | null;
  live: number;
  allLiveMs: number | null;
  exchangeRssBaselineMiB: number;
  exchangeRssMiB: number;
  rssPerStreamKiB: number;
  idleCpuExchangePct: number;
  idleCpuClientPct: number;
  idleCpuBrokerPct: number | null;
  /** Probe publications refused while the streams were opening. */
  refusedWhileOpening: number;
  publish: null | {
    eventsPerSecond: number;
    deliveriesPerSecond: number;
    /** The live streams the events were delivered to (all N unless the step failed to open some). */
    streams: number;
    batch: number;
    intervalMs: number;
    seconds: number;
    publications: number;
    refused: number;
    refusedShare: number;
    refusedCodes: Record<string, number>;
    expectedDeliveries: number;
    delivered: number;
    p50ms: number;
    p90ms: number;
    p99ms: number;
    maxMs: number;
    lost: number;
    duplicated: number;
    streamsWithLoss: number;
    streamsEnded: Record<string, number>;
    cpuExchangePct: number;
    cpuClientPct: number;
    cpuBrokerPct: number | null;
  };
  loadAverage: number[];
  /** The exchange's error log lines during the step, by message (why streams or publications failed). */
  exchangeErrors?: Record<string, number>;
}

async function step(
  n: number,
  o: StreamBenchOptions,
  platform: RunningPlatform,
  cell: RenkeiClient,
  publishToken: () => Promise<string>,
  grantsFor: (count: number) => Promise<{ grants: Grant[]; consumers: number }>,
  restartedAt: number,
): Promise<StepResult> {
  const exchange = platform.endpoints.exchange;
  const setup0 = performance.now();
  const { grants, consumers } = await grantsFor(n);
  const pid = platform.pid('exchange')!;
  log(`N=${n}: issuing ${n} subscribe tokens`);
  const tokens = await pool(grants, o.concurrency, (g) =>
    g.consumer.client.datasetToken(DATASET, 'subscribe', g.id),
  );
  const setupSeconds = round((performance.now() - setup0) / 1000, 1);
  // The last step's exchange was killed: its consumer group members expire after the 6 s session timeout.
  await sleep(Math.max(1000, restartedAt + 7000 - performance.now()));
  const rssBaseline = rssMiB(pid);
  const broker = brokerPid();

  // 1. open all streams at once; probes every second until each stream delivered one.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const token = await publishToken();
  let seq = 0;
  const prefix = `s${n}-${randomBytes(2).toString('hex')}`;
  const acknowledged = new Map<string, number>(); // lotId → publish start
  const refusedCodes: Record<string, number> = {};
  let refused = 0;
  let publications = 0;
  const inflight = new Set<Promise<void>>();
  const publishBatch = (size: number, kind: string) => {
    const at = performance.now();
    const events = Array.from({ length: size }, () => {
      const lotId = `${prefix}-${kind}-${seq++}`;
      return { subject: lotId, payload: payload(lotId) };
    });
    publications++;
    const p: Promise<void> = cell
      .publish(DATASET, token, events)
      .then(() => {
        for (const e of events) acknowledged.set(e.payload.lotId, at);
      })
      .catch((error: unknown) => {
        refused++;
        const code = error instanceof RenkeiError ? error.code : String((error as Error).name);
        refusedCodes[code] = (refusedCodes[code] ?? 0) + 1;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
    return { events, at };
  };

  log(`N=${n}: opening ${n} streams`);
  const t0 = performance.now();
  const clients = tokens.map((t, i) => openStream(agent, exchange, t, i, grants[i]!.id, prefix));
  const liveDeadline = t0 + o.liveTimeoutS * 1000;
  let lastProbe = 0;
  let answeredAll: number | null = null;
  let liveAll: number | null = null;
  while (performance.now() < liveDeadline) {
    const answered = clients.filter((c) => c.status !== null).length;
    if (answered === n && answeredAll === null)
      answeredAll = Math.max(...clients.map((c) => c.answeredAt!)) - t0;
    const ok = clients.filter((c) => c.status === 200);
    // Refused streams never become live; those that were accepted get the whole timeout to do so.
    if (answered === n && ok.every((c) => c.firstEventAt !== null)) {
      if (ok.length === n) liveAll = Math.max(...ok.map((c) => c.firstEventAt!)) - t0;
      break;
    }
    if (performance.now() - lastProbe >= 1000) {
      lastProbe = performance.now();
      publishBatch(1, 'probe');
    }
    await sleep(50);
  }
  const answered200 = clients.filter((c) => c.status === 200).length;
  const live = clients.filter((c) => c.firstEventAt !== null).length;
  const refusals: Record<string, number> = {};
  for (const c of clients) {
    const code =
      c.status === null ? 'NO_ANSWER' : c.status !== 200 ? (c.refusal ?? `HTTP.${c.status}`) : null;
    if (code) refusals[code] = (refusals[code] ?? 0) + 1;
  }
  log(
    `N=${n}: ${answered200}/${n} answered 200${answeredAll !== null ? ` (all answered after ${round(answeredAll / 1000)} s)` : ''}, ` +
      `${live}/${n} live${liveAll !== null ? ` after ${round(liveAll / 1000)} s` : ` within ${o.liveTimeoutS} s`}`,
  );
  await Promise.all(inflight);

  // 2. idle: nothing published.
  await sleep(2000);
  const idleMeter = cpuMeter(pid, broker);
  await sleep(o.idleSeconds * 1000);
  const idle = idleMeter();
  const rss = rssMiB(pid);
  log(
    `N=${n}: idle exchange CPU ${idle.exchange} % of a core (client ${idle.client} %, broker ${idle.broker} %), RSS ${round(rss)} MiB (baseline ${round(rssBaseline)} MiB)`,
  );

  const result: StepResult = {
    streams: n,
    ok: true,
    failure: null,
    setupSeconds,
    consumers,
    answered200,
    refusals,
    allAnsweredMs: answeredAll === null ? null : round(answeredAll),
    live,
    allLiveMs: liveAll === null ? null : round(liveAll),
    exchangeRssBaselineMiB: round(rssBaseline),
    exchangeRssMiB: round(rss),
    // Per stream that was accepted (a refused one holds nothing).
    rssPerStreamKiB: round(((rss - rssBaseline) * 1024) / Math.max(1, answered200)),
    idleCpuExchangePct: idle.exchange,
    refusedWhileOpening: refused,
    idleCpuClientPct: idle.client,
    idleCpuBrokerPct: idle.broker,
    publish: null,
    loadAverage: [],
  };

  if (liveAll === null) {
    result.ok = false;
    result.failure =
      answered200 < n
        ? `${n - answered200} of ${n} streams refused or unanswered (${Object.entries(refusals)
            .map(([k, v]) => `${k} × ${v}`)
            .join(', ')}); ${live} of the ${answered200} accepted delivered within ${o.liveTimeoutS} s`
        : `only ${live} of ${n} streams delivered an event within ${o.liveTimeoutS} s`;
  }
  if (live > 0) {
    // 3. steady publishing: `deliveries` per second in total, spread across the streams (measured on the
    // live ones when the step has already failed, so a failing step still shows its latency).
    const streaming = clients.filter((c) => c.firstEventAt !== null);
    const rate = o.rate ?? o.deliveries / n; // events per second published
    const intervalMs = Math.max(100, 1000 / rate);
    const batch = Math.max(1, Math.round((rate * intervalMs) / 1000));
    const seconds = Math.max(o.publishSeconds, (5 * intervalMs) / 1000);
    const ticks = Math.floor((seconds * 1000) / intervalMs);
    log(`N=${n}: publishing ${batch} event(s) every ${round(intervalMs)} ms for ${round(seconds)} s`);
    const loadIds: string[] = [];
    const refusedBefore = refused;
    const publicationsBefore = publications;
    const loadMeter = cpuMeter(pid, broker);
    const p0 = performance.now();
    for (let tick = 0; tick < ticks; tick++) {
      const wait = p0 + tick * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      for (const e of publishBatch(batch, 'load').events) loadIds.push(e.payload.lotId);
    }
    await Promise.all(inflight);
    const publishWindow = (performance.now() - p0) / 1000;
    const { exchange: cpuE, client: cpuC, broker: cpuB } = loadMeter();
    // Wait until every acknowledged event reached every stream that is still open, or the drain timeout.
    const open = () => streaming.filter((c) => c.end === null);
    const expectedIds = [...acknowledged.keys()];
    const missing = () =>
      open().reduce((sum, c) => sum + expectedIds.filter((id) => !c.received.has(id)).length, 0);
    const drainDeadline = performance.now() + o.drainTimeoutS * 1000;
    while (performance.now() < drainDeadline && missing() > 0) await sleep(250);
    await sleep(500); // duplicates arriving late are counted too
    const latencies: number[] = [];
    const acknowledgedLoad = loadIds.filter((id) => acknowledged.has(id));
    for (const c of streaming) {
      for (const id of acknowledgedLoad) {
        const at = c.received.get(id);
        if (at !== undefined) latencies.push(at - acknowledged.get(id)!);
      }
    }
    let lost = 0;
    let streamsWithLoss = 0;
    for (const c of streaming) {
      const missed = expectedIds.filter((id) => !c.received.has(id)).length;
      lost += missed;
      if (missed > 0) streamsWithLoss++;
    }
    const duplicated = clients.reduce((s, c) => s + c.duplicates, 0);
    const streamsEnded: Record<string, number> = {};
    for (const c of clients) if (c.end) streamsEnded[c.end] = (streamsEnded[c.end] ?? 0) + 1;
    const s = summarise(latencies);
    const loadPublications = publications - publicationsBefore;
    const loadRefused = refused - refusedBefore;
    result.publish = {
      eventsPerSecond: round(rate, 3),
      deliveriesPerSecond: round(rate * streaming.length),
      streams: streaming.length,
      batch,
      intervalMs: round(intervalMs),
      seconds: round(publishWindow, 1),
      publications: loadPublications,
      refused: loadRefused,
      refusedShare: round(loadRefused / Math.max(1, loadPublications), 3),
      refusedCodes,
      expectedDeliveries: acknowledgedLoad.length * streaming.length,
      delivered: latencies.length,
      p50ms: round(s.p50),
      p90ms: round(s.p90),
      p99ms: round(s.p99),
      maxMs: round(s.max),
      lost,
      duplicated,
      streamsWithLoss,
      streamsEnded,
      cpuExchangePct: cpuE,
      cpuBrokerPct: cpuB,
      cpuClientPct: cpuC,
    };
    log(
      `N=${n}: p50 ${round(s.p50)} ms, p99 ${round(s.p99)} ms (${latencies.length} deliveries), refused ${loadRefused}/${loadPublications}, ` +
        `lost ${lost}, duplicated ${duplicated}; CPU exchange ${cpuE} %, client ${cpuC} %`,
    );
    const failures = [
      s.n === 0 || s.p99 > o.maxP99Ms ? `p99 ${round(s.p99)} ms above ${o.maxP99Ms} ms` : null,
      loadRefused / Math.max(1, loadPublications) > o.maxRefused
        ? `${round((100 * loadRefused) / Math.max(1, loadPublications), 1)} % of publications refused`
        : null,
      lost > 0 ? `${lost} deliveries lost on ${streamsWithLoss} streams` : null,
      duplicated > 0 ? `${duplicated} events delivered twice` : null,
    ].filter((x) => x !== null);
    if (failures.length > 0) {
      result.ok = false;
      result.failure = [result.failure, ...failures].filter((x) => x !== null).join('; ');
    }
  }
  result.loadAverage = (await import('node:os')).loadavg().map((x) => round(x));
  // Close every stream from the client side; the next step restarts the exchange anyway.
  for (const c of clients) c.request.destroy();
  agent.destroy();
  return result;
}

// ------------------------------------------------------------------ report

const fmtS = (ms: number | null) =>
  ms === null ? '—' : ms < 1000 ? `${round(ms)} ms` : `${round(ms / 1000, 2)} s`;

export function markdownTable(steps: StepResult[]): string {
  const head =
    '| streams | answered 200 (all answered after) | all live after | idle CPU: exchange (broker) | RSS per stream | deliveries/s (events/s × live streams) | delivery p50 / p99 | publications refused | lost / duplicated | client CPU idle / load | result |\n' +
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |';
  const rows = steps.map((s) => {
    const p = s.publish;
    return `| ${s.streams.toLocaleString('en')} | ${s.answered200} (${fmtS(s.allAnsweredMs)}) | ${s.allLiveMs === null ? `${s.live} live, not all` : fmtS(s.allLiveMs)} | ${s.idleCpuExchangePct} % (${s.idleCpuBrokerPct ?? '—'} %) | ${s.rssPerStreamKiB} KiB (${s.exchangeRssMiB} MiB) | ${p ? `${p.deliveriesPerSecond} (${p.eventsPerSecond} × ${p.streams})` : '—'} | ${p ? `${fmtS(p.p50ms)} / ${fmtS(p.p99ms)}` : '—'} | ${p ? `${round(p.refusedShare * 100, 1)} % (${p.refused}/${p.publications})` : '—'} | ${p ? `${p.lost} / ${p.duplicated}` : '—'} | ${s.idleCpuClientPct} % / ${p ? `${p.cpuClientPct} %` : '—'} | ${s.ok ? 'ok' : `**failed**: ${s.failure}`} |`;
  });
  return [head, ...rows].join('\n');
}

function gitDescribe(root: string): string {
  try {
    const rev = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD']).toString().trim();
    const branch = execFileSync('git', ['-C', root, 'rev-parse', '--abbrev-ref', 'HEAD']).toString().trim();
    const dirty = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'])
      .toString()
      .trim();
    return `${branch}@${rev}${dirty ? ' (uncommitted changes)' : ''}`;
  } catch {
    return 'unknown';
  }
}

// ------------------------------------------------------------------ main

/**
 * A setup step (onboarding, the contract, the warm-up publication) retried while the platform answers 503:
 * on a loaded machine a service may still be settling (its database or Kafka probe) as the scenario starts.
 */
async function settled<T>(step: () => Promise<T>, attempts = 30): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= attempts || (error as { status?: number }).status !== 503) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

export async function streamsScenario(argv: string[] = process.argv.slice(2)): Promise<void> {
  const o = parseOptions(argv);
  const started = performance.now();
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  // `scripts/bench.sh --cluster` runs on the 3-node cluster and sets the replicated topic settings (ADR 0032).
  const topicEnv: Record<string, string> = {};
  for (const name of ['KAFKA_REPLICATION_FACTOR', 'KAFKA_MIN_INSYNC_REPLICAS']) {
    const value = process.env[name];
    if (value) topicEnv[name] = value;
  }
  const kafka = `${brokers.split(',').length} broker(s) ${brokers}, replication factor ${topicEnv.KAFKA_REPLICATION_FACTOR ?? '1'}, min.insync.replicas ${topicEnv.KAFKA_MIN_INSYNC_REPLICAS ?? '1'}`;
  log(`Kafka: ${kafka}`);
  log(`platform from ${o.platformRoot} (${gitDescribe(o.platformRoot)}); steps ${o.streams.join(', ')}`);
  const db = await freshDatabase(o.platformRoot, 'bench-streams');
  const secrets = await generateSecrets();
  const prefix = `bench-streams-${randomBytes(3).toString('hex')}`;
  const logDir = `${here}/.renkei/logs/${prefix}`;
  let logOffset = 0;
  /** Error lines (pino level ≥ 50) the exchange logged since the last call, counted by message. */
  const exchangeErrors = () => {
    const counts: Record<string, number> = {};
    let text: string;
    try {
      const all = readFileSync(`${logDir}/exchange.log`);
      text = all.subarray(logOffset).toString('utf8');
      logOffset = all.length;
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
        // a line cut by the read
      }
    }
    return counts;
  };
  const platform = await startPlatform({
    root: o.platformRoot,
    databaseUrl: db.url,
    kafkaBrokers: brokers,
    topicPrefix: prefix,
    basePort: o.basePort,
    commonEnv: topicEnv,
    logDir,
    logLevel: 'warn',
    secrets,
  }).catch(async (error: unknown) => {
    await db.drop();
    throw error;
  });
  const steps: StepResult[] = [];
  let stopped: string | null = null;
  try {
    // Subscribe tokens live 5 minutes by default; issuing 5,000 of them and measuring can take longer on a
    // slow machine, and a stream ending with TOKEN.EXPIRED would read as lost events. One hour instead.
    await platform.restart('clearing', 'SIGTERM', { DATASET_TOKEN_TTL_S: '3600' });
    const e = platform.endpoints;
    const admin = new RenkeiClient(e, { clientId: 'consortium-admin', privateJwk: secrets.adminKey });
    const kc = await participantKey('cell');
    const c = await settled(() => admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(kc)] } }));
    const cell = new RenkeiClient(e, { clientId: c.id, privateJwk: kc });
    await settled(() => cell.registerContract(batteryCfpContract));
    let publish: { token: string; at: number } | null = null;
    const publishToken = async () => {
      // Dataset tokens live 5 minutes by default: a fresh one for each step.
      if (!publish || Date.now() - publish.at > 120_000) {
        publish = { token: await cell.datasetToken(DATASET, 'publish'), at: Date.now() };
      }
      return publish.token;
    };
    // Creates the topic.
    await settled(async () => cell.publish(DATASET, await publishToken(), [{ payload: payload('warm-up') }]));
    const consumers: Consumer[] = [];
    const onboardConsumers = async (count: number) => {
      const start = consumers.length;
      const added = await pool(
        Array.from({ length: Math.max(0, count - start) }, (_, k) => start + k),
        o.concurrency,
        async (i) => {
          const key = await participantKey(`consumer-${i}`);
          const p = await settled(() =>
            admin.onboard({
              ...automaker,
              legalName: `Bench Consumer ${i} K.K.`,
              corporateNumber: corporateNumber(`18${String(900000 + i).padStart(10, '0')}`),
              jwks: { keys: [publicJwk(key)] },
            }),
          );
          const client = new RenkeiClient(e, { clientId: p.id, privateJwk: key });
          await client.platformToken(); // one login each, before the calls in flight share it
          return { id: p.id, client };
        },
      );
      consumers.push(...added);
    };
    // Grants are kept from step to step (each step's exchange is a fresh process; a kept grant's stream
    // resumes after its last position) and topped up through the API: requested by a consumer, approved by
    // the originator. A consumer may have one pending request per dataset and purpose
    // (GRANT.ALREADY_REQUESTED): each consumer asks in turn, the consumers in parallel.
    const grants: Grant[] = [];
    const grantsFor = async (n: number) => {
      const count = Math.max(Math.min(n, 10), Math.ceil(n / o.grantsPerConsumer));
      await onboardConsumers(count);
      const missing = n - grants.length;
      if (missing > 0) {
        log(`N=${n}: requesting and approving ${missing} more grants over ${count} consumers`);
        const added = await pool(consumers.slice(0, count), o.concurrency, async (c, k) => {
          const mine: Grant[] = [];
          for (let i = k; i < missing; i += count) {
            const g = await c.client.requestGrant({ dataset: DATASET, purpose: 'cfp-disclosure' });
            await cell.approveGrant(g.id);
            mine.push({ consumer: c, id: g.id });
          }
          return mine;
        });
        grants.push(...added.flat());
      }
      return {
        grants: grants.slice(0, n),
        consumers: new Set(grants.slice(0, n).map((g) => g.consumer.id)).size,
      };
    };
    let restartedAt = 0;
    for (const [i, n] of o.streams.entries()) {
      const spent = (performance.now() - started) / 1000;
      if (spent > o.budgetS) {
        stopped = `time budget of ${o.budgetS} s spent (${round(spent)} s) before N=${n}`;
        break;
      }
      const result = await step(n, o, platform, cell, publishToken, grantsFor, restartedAt);
      result.exchangeErrors = exchangeErrors();
      for (const [message, count] of Object.entries(result.exchangeErrors)) {
        log(`N=${n}: exchange logged ${count} × ${message}`);
      }
      steps.push(result);
      // A clean exchange for the next step: no streams or consumer groups left running from this one.
      if (i + 1 < o.streams.length && result.ok) {
        await platform.restart('exchange', 'SIGKILL');
        restartedAt = performance.now();
      }
      if (!result.ok) {
        stopped = `N=${n} failed (${result.failure}); larger steps skipped`;
        break;
      }
    }
  } finally {
    await platform.stop();
    await db.drop();
  }
  if (stopped) log(`stopped early: ${stopped}`);
  const report = {
    date: new Date().toISOString(),
    quick: o.quick,
    machine: machine(),
    platform: { root: o.platformRoot, build: gitDescribe(o.platformRoot) },
    kafka,
    options: o,
    stoppedEarly: stopped,
    skipped: o.streams.slice(steps.length),
    durationSeconds: round((performance.now() - started) / 1000, 1),
    results: steps,
  };
  const dir = o.out;
  mkdirSync(dir, { recursive: true });
  const base = `streams-${report.date.slice(0, 19).replace(/:/g, '-')}${o.quick ? '-quick' : ''}`;
  const table = markdownTable(steps);
  const md =
    `# Delivery streams — ${report.date}\n\nBuild: ${report.platform.build} (${o.platformRoot}); ` +
    `machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}.\n\nKafka: ${kafka}.\n\n` +
    `${table}\n${stopped ? `\nStopped early: ${stopped}.\n` : ''}`;
  writeFileSync(`${dir}/${base}.json`, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(`${dir}/${base}.md`, md);
  console.log(md);
  log(`written to ${dir}/${base}.json and .md`);
}

if (import.meta.url === `file://${process.argv[1]}`) await streamsScenario();
