/**
 * What the fault tests observe: every client answer (status, time, Retry-After) and every event a
 * subscriber received, so each test can assert by id what was acknowledged, delivered and refused.
 */
import { randomUUID } from 'node:crypto';
import { freshDatabase } from './database.js';
import {
  generateSecrets,
  startPlatform,
  type PlatformOptions,
  type RunningPlatform,
  type Secrets,
} from './platform.js';
import { privateKafka, privatePostgres, repoRoot } from './private-infra.js';
import { RenkeiClient, type DeliveryStream } from '@renkei/sdk';

/** A client answer is "on time" within this long (the bound). */
export const ANSWER_WITHIN_MS = 2_000;

export interface Answer {
  what: string;
  startedAt: number;
  endedAt: number;
  ms: number;
  /** HTTP status, or 0 when no answer came (connection refused: the process is not there). */
  status: number;
  retryAfter: string | null;
  code?: string;
  body?: unknown;
}

export class Recorder {
  readonly answers: Answer[] = [];
  /**
   * When this process's own event loop was stalled (on a loaded machine the test runner itself is
   * starved): an answer that arrived meanwhile is read late, and that delay is not the service's.
   */
  private readonly stalls: { from: number; to: number }[] = [];
  private readonly sampler: NodeJS.Timeout;

  constructor() {
    let last = performance.now();
    this.sampler = setInterval(() => {
      const now = performance.now();
      const lag = now - last - 20;
      last = now;
      if (lag > 50) this.stalls.push({ from: Date.now() - lag, to: Date.now() });
    }, 20);
    this.sampler.unref();
  }

  /**
   * How long the service took, as far as this runner can tell: the answer's time less the runner's own
   * stalls meanwhile (read when judging: a stall is recorded only once the runner runs again).
   */
  servedMs(a: Answer): number {
    return a.ms - this.lagBetween(a.startedAt, a.endedAt);
  }

  private lagBetween(from: number, to: number): number {
    let total = 0;
    for (const s of this.stalls) total += Math.max(0, Math.min(to, s.to) - Math.max(from, s.from));
    return Math.round(total);
  }

  /** Calls and records; never throws. A hang is cut at 10 s and recorded as such (status -1). */
  async call(what: string, request: (signal: AbortSignal) => Promise<Response>): Promise<Answer> {
    const startedAt = Date.now();
    let status: number;
    let retryAfter: string | null = null;
    let body: unknown;
    try {
      const res = await request(AbortSignal.timeout(10_000));
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      const text = await res.text();
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
    } catch (error) {
      status = (error as Error).name === 'TimeoutError' ? -1 : 0;
    }
    const endedAt = Date.now();
    const answer: Answer = {
      what,
      startedAt,
      endedAt,
      ms: endedAt - startedAt,
      status,
      retryAfter,
      ...(body && typeof body === 'object' && 'code' in body ? { code: String(body.code) } : {}),
      body,
    };
    this.answers.push(answer);
    return answer;
  }

  of(what: string): Answer[] {
    return this.answers.filter((a) => a.what === what);
  }

  /**
   * Answers that break the promise: anything but a 2xx, or a 503 with Retry-After, within 2 s (less the
   * time this runner itself was stalled). A refused connection counts only outside `down` windows (while
   * the process itself was killed).
   */
  violations(down: { from: number; to: number }[] = []): Answer[] {
    return this.answers.filter((a) => {
      // In flight when the process was killed, or sent while none was there: no process could answer.
      if (a.status === 0) return !down.some((w) => a.endedAt >= w.from && a.startedAt <= w.to);
      const wellFormed = (a.status >= 200 && a.status < 300) || (a.status === 503 && a.retryAfter !== null);
      return !wellFormed || this.servedMs(a) > ANSWER_WITHIN_MS;
    });
  }

  /** The first 2xx of `what` that started at or after `since`: how long recovery took. */
  firstSuccessAfter(what: string, since: number): Answer | undefined {
    return this.of(what).find((a) => a.startedAt >= since && a.status >= 200 && a.status < 300);
  }

  summary(what: string): string {
    const all = this.of(what);
    const count = (p: (a: Answer) => boolean) => all.filter(p).length;
    const max = Math.max(0, ...all.map((a) => a.ms));
    const maxServed = Math.max(0, ...all.map((a) => this.servedMs(a)));
    return `${what}: ${all.length} answers, ${count((a) => a.status >= 200 && a.status < 300)} 2xx, ${count((a) => a.status === 503)} 503, ${count((a) => a.status === 0)} refused, slowest ${maxServed} ms (${max} ms with this runner's own stalls)`;
  }
}

export function report(line: string): void {
  process.stdout.write(`[reliability] ${line}\n`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `ok` or the deadline; returns how long it took, or throws. */
export async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await ok().catch(() => false)) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`);
}

export async function status(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(3_000) })).status;
  } catch {
    return 0;
  }
}

/** The four services on the private broker and database, with a fresh database of their own. */
export async function startFaultPlatform(
  label: string,
  basePort: number,
  /** Another broker (list) than the private one, and settings for it (the replicated cluster's). */
  kafka: { brokers: string; env?: Record<string, string> } = { brokers: privateKafka.brokers },
  /** Replicas of the exchange and clearing, and extra configuration per service (platform.ts). */
  more: Pick<PlatformOptions, 'replicas' | 'env'> = {},
): Promise<{
  platform: RunningPlatform;
  topicPrefix: string;
  secrets: Secrets;
  admin: RenkeiClient;
  databaseUrl: string;
  stop: () => Promise<void>;
}> {
  const db = await freshDatabase(repoRoot, label, privatePostgres.adminUrl);
  const secrets = await generateSecrets();
  const topicPrefix = `rel-${randomUUID().slice(0, 6)}`;
  const platform = await startPlatform({
    root: repoRoot,
    databaseUrl: db.url,
    kafkaBrokers: kafka.brokers,
    ...(kafka.env ? { commonEnv: kafka.env } : {}),
    topicPrefix,
    basePort,
    logDir: `${repoRoot}/.renkei/logs/${topicPrefix}`,
    logLevel: 'info',
    secrets,
    ...more,
  });
  return {
    platform,
    topicPrefix,
    secrets,
    databaseUrl: db.url,
    admin: new RenkeiClient(platform.endpoints, {
      clientId: 'consortium-admin',
      privateJwk: secrets.adminKey,
    }),
    stop: async () => {
      await platform.stop();
      await db.drop().catch(() => undefined);
    },
  };
}

export interface Received {
  id: string;
  position: string;
}

/**
 * A subscriber that never gives up: it reads its grant's stream and, whenever the stream ends, breaks or
 * cannot be opened (exchange killed, broker down), reconnects after the last positions it processed — as
 * a careful client does. Everything it received is kept, in order, with its position. Given one client per
 * exchange replica, it moves to the next replica when the connection broke or could not be opened (as a
 * client behind a load balancer is sent to a live one), and each event records the replica (`from`).
 */
export class PersistentSubscriber {
  readonly received: (Received & { from: number })[] = [];
  readonly ends: string[] = [];
  /** Why a stream could not be opened or broke off (distinct messages, with how often), for reports. */
  readonly errors = new Map<string, number>();
  private readonly positions = new Map<number, bigint>();
  private readonly clients: RenkeiClient[];
  private running = true;
  private stream: DeliveryStream | undefined;
  private current: number;
  private loop: Promise<void>;

  constructor(
    client: RenkeiClient | RenkeiClient[],
    private readonly dataset: string,
    private readonly grantId: string,
    /** Which of the clients (replicas) to start with. */
    start = 0,
  ) {
    this.clients = Array.isArray(client) ? client : [client];
    this.current = start;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const client = this.clients[this.current]!;
      let failed = true;
      try {
        const token = await client.datasetToken(this.dataset, 'subscribe', this.grantId);
        const after = Object.fromEntries([...this.positions].map(([p, o]) => [p, o.toString()]));
        this.stream = await client.stream(this.dataset, token, this.positions.size > 0 ? { after } : {});
        while (this.running) {
          const line = await this.stream.read(1_000);
          if (!line) continue;
          if (line.type === 'event') {
            this.received.push({ id: line.event.id, position: line.position, from: this.current });
            const [p, o] = line.position.split(':');
            this.positions.set(Number(p), BigInt(o!));
          } else if (line.type === 'end') {
            this.ends.push(line.code);
            // The replica ended the stream (it was not the connection that broke): again at the same one.
            if (line.code !== 'STREAM.CLOSED') failed = false;
            break;
          }
        }
      } catch (error) {
        // Not reachable or refused (503) right now: try again shortly (at the next replica, if any).
        const why = error instanceof Error ? error.message.slice(0, 160) : String(error);
        this.errors.set(why, (this.errors.get(why) ?? 0) + 1);
      }
      this.stream?.close();
      this.stream = undefined;
      if (this.running) {
        if (failed) this.current = (this.current + 1) % this.clients.length;
        await sleep(200);
      }
    }
  }

  /** Waits until every id in `ids` was received (bounded), then stops. */
  async drainUntil(ids: Iterable<string>, timeoutMs: number): Promise<void> {
    const want = new Set(ids);
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const got = new Set(this.received.map((r) => r.id));
      if ([...want].every((id) => got.has(id))) break;
      await sleep(200);
    }
    // A little longer: a duplicate would arrive now.
    await sleep(1_500);
    await this.stop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stream?.close();
    await this.loop;
  }
}

/** Ids acknowledged (202) by the exchange, from the recorded publish answers. */
export function acknowledged(answers: Answer[]): string[] {
  return answers
    .filter((a) => a.status === 202 || a.status === 200 || a.status === 201)
    .flatMap((a) => (a.body as { eventIds?: string[] } | undefined)?.eventIds ?? []);
}

/** Acknowledged ids missing from what was received, and acknowledged ids received more than once. */
export function lossAndDuplicates(
  acked: string[],
  received: Received[],
): { lost: string[]; duplicated: string[] } {
  const counts = new Map<string, number>();
  for (const r of received) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
  return {
    lost: acked.filter((id) => !counts.has(id)),
    duplicated: acked.filter((id) => (counts.get(id) ?? 0) > 1),
  };
}

/**
 * Setup steps as a careful client makes them: a 503 (a dependency busy or away) is retried after its
 * Retry-After, a bounded number of times. The faults themselves are never retried this way.
 */
export async function retrying<T>(step: () => Promise<T>, attempts = 30): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= attempts || (error as { status?: number }).status !== 503) throw error;
      await sleep(1_000);
    }
  }
}
