/**
 * Security refusals on the audit chain (ADR 0018): every service records the requests it refused for a
 * security reason — authentication failures (401), missing scope, role or ownership (403), rate limits
 * (429), 404s that conceal something that exists but belongs to someone else, illegal state-machine moves
 * (409 `*.ILLEGAL_TRANSITION`) and every refused Dataspace Protocol request — and hands them to a
 * sink: clearing appends them to its hash-chained log, the other services send them to clearing over
 * Kafka. Policy denies are left out: their decision record is on the chain already.
 *
 * An attacker must not be able to flood the chain, and the recorder must not grow with the attack, so
 * refusals are aggregated: one record per (service, code, actor or client IP, method and route template)
 * per flush window, with a count and the first and last time. The map holds at most `maxKeys` aggregates;
 * beyond that, refusals fold into one overflow record per status, so memory stays bounded and nothing is
 * silently lost. The window is flushed on an interval and when the app closes.
 *
 * What is kept never includes a token, an assertion, a body or the raw URL: the route template, the code,
 * the verified participant (or, for a refused token, the `sub`/`iss` it claimed, marked unverified and
 * truncated), the client IP and the W3C trace id.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  concealedTarget,
  isOnRecord,
  type RefusalCategory,
  type RefusalRecord,
  type RefusalTarget,
} from '@renkei/domain';

export type RefusalSink = (records: RefusalRecord[]) => Promise<void>;

const NOTE = Symbol.for('renkei.refusal.note');
const MAX_TARGETS = 5;
const MAX_CLAIM = 200;

interface Note {
  code: string;
  target?: RefusalTarget;
  onRecord: boolean;
  protocol: boolean;
}

/** A move a state machine refused (GRANT, CONTRACT, DSP …): on the record whoever tried it. */
const ILLEGAL_MOVE = /\.ILLEGAL_TRANSITION$/;

/**
 * Called by the ProblemFilter (and the DSP error filter) for every error answer: remembers the stable code
 * (and what a concealed 404 hides) on the request, for the onResponse hook that decides whether it is a
 * security refusal. `protocol: true` (the Dataspace Protocol routes) puts every 4xx on the record.
 */
export function noteRefusal(
  request: object,
  code: string,
  error: unknown,
  options: { protocol?: boolean } = {},
): void {
  const target = concealedTarget(error);
  (request as { [NOTE]?: Note })[NOTE] = {
    code,
    ...(target ? { target } : {}),
    onRecord: isOnRecord(error),
    protocol: options.protocol === true || ILLEGAL_MOVE.test(code),
  };
}

/**
 * Which refusals are security-relevant, by status, (for 404) by the service's own marking, and (for any
 * other 4xx) by whether it refused a protocol move or request.
 */
export function classifyRefusal(
  status: number,
  concealed: boolean,
  protocol = false,
): RefusalCategory | null {
  if (status === 401) return 'authentication';
  if (status === 403) return 'authorization';
  if (status === 429) return 'rate-limit';
  if (status === 404 && concealed) return 'ownership';
  if (protocol && status >= 400 && status < 500) return 'protocol';
  return null;
}

export interface RefusalEvent {
  service: string;
  category: RefusalCategory;
  status: number;
  code: string;
  method: string;
  route: string;
  participant: string | null;
  claimed: RefusalRecord['claimed'];
  ip: string;
  traceId: string | null;
  target?: RefusalTarget;
  at: Date;
}

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;
const safe = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.replace(CONTROL, '').slice(0, MAX_CLAIM) : undefined;

/**
 * The `sub` and `iss` a refused JWT claims, without verifying anything (that is what failed). Only the two
 * claims are kept; the token itself never leaves this function.
 */
export function claimsOf(jwt: string | undefined): RefusalRecord['claimed'] {
  if (!jwt || jwt.length > 16_384) return null;
  const part = jwt.split('.')[1];
  if (!part) return null;
  try {
    const payload = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    const sub = safe(payload.sub);
    const iss = safe(payload.iss);
    if (!sub && !iss) return null;
    return { ...(sub ? { sub } : {}), ...(iss ? { iss } : {}), verified: false };
  } catch {
    return null;
  }
}

/** The trace id of a W3C `traceparent` header, if it carries a well-formed one. */
export function traceIdOf(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(header.trim());
  return match?.[1] && !/^0+$/.test(match[1]) ? match[1] : null;
}

interface Aggregate {
  record: RefusalRecord;
}

/** Bounded, windowed aggregation of refusal events into records. */
export class RefusalAggregator {
  private window = new Map<string, Aggregate>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private sink: RefusalSink,
    private readonly logger: Logger,
    readonly options: { maxKeys: number } = { maxKeys: 10_000 },
  ) {}

  useSink(sink: RefusalSink): void {
    this.sink = sink;
  }

  /** Aggregates currently held (never more than maxKeys plus one overflow record per status). */
  get size(): number {
    return this.window.size;
  }

  add(e: RefusalEvent): void {
    const who = e.participant ?? `ip:${e.ip}`;
    let key = [e.service, e.code, who, e.method, e.route].join('\u0001');
    let overflow = false;
    if (!this.window.has(key) && this.window.size >= this.options.maxKeys) {
      key = `overflow\u0001${e.status}`;
      overflow = true;
    }
    const at = e.at.toISOString();
    const held = this.window.get(key);
    if (held) {
      const r = held.record;
      r.count += 1;
      if (at < r.firstAt) r.firstAt = at;
      if (at > r.lastAt) r.lastAt = at;
      if (e.target && r.targets.length < MAX_TARGETS && !r.targets.some((t) => t.id === e.target!.id))
        r.targets.push(e.target);
      return;
    }
    this.window.set(key, {
      record: {
        id: randomUUID(),
        service: e.service,
        category: e.category,
        status: e.status,
        // An overflow record stands for many actors and routes: it names none of them.
        code: overflow ? `${e.code}+` : e.code,
        method: overflow ? '*' : e.method,
        route: overflow ? '*' : e.route,
        participant: overflow ? null : e.participant,
        claimed: overflow ? null : e.claimed,
        ip: overflow ? '*' : e.ip,
        traceId: overflow ? null : e.traceId,
        targets: !overflow && e.target ? [e.target] : [],
        count: 1,
        firstAt: at,
        lastAt: at,
        ...(overflow ? { overflow: true } : {}),
      },
    });
  }

  /** Hands the current window to the sink; a failed hand-over is logged with what it lost. */
  flush(): Promise<void> {
    const next = this.flushing.then(async () => {
      if (this.window.size === 0) return;
      const records = [...this.window.values()].map((a) => a.record);
      this.window = new Map();
      try {
        await this.sink(records);
      } catch (error) {
        this.logger.error(
          {
            err: error,
            records: records.length,
            refusals: records.reduce((n, r) => n + r.count, 0),
          },
          'security refusals could not be recorded',
        );
      }
    });
    this.flushing = next;
    return next;
  }

  start(intervalMs: number): void {
    if (this.timer || intervalMs <= 0) return;
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

const recorders = new WeakMap<object, RefusalAggregator>();

/** The refusal recorder of an app made by createHttpApp (to give it its sink). */
export function refusalRecorder(app: { getHttpAdapter(): { getInstance(): unknown } }): RefusalAggregator {
  const recorder = recorders.get(app.getHttpAdapter().getInstance() as object);
  if (!recorder) throw new Error('This app was not made by createHttpApp: it has no refusal recorder');
  return recorder;
}

const positiveInt = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

/**
 * Installs the recorder on a service's Fastify instance (createHttpApp does, for every service). Until a
 * sink is given, refusals are written to the log as warnings, so none is ever dropped unseen.
 */
export function installRefusalAudit(
  fastify: FastifyInstance,
  service: string,
  logger: Logger,
): RefusalAggregator {
  const log = logger.child({ component: 'refusal-audit' });
  const recorder = new RefusalAggregator(
    (records) => {
      for (const r of records) log.warn({ refusal: r }, 'security refusal');
      return Promise.resolve();
    },
    log,
    { maxKeys: positiveInt(process.env.REFUSAL_AUDIT_MAX_KEYS, 10_000) },
  );
  recorder.start(positiveInt(process.env.REFUSAL_AUDIT_FLUSH_MS, 1000));
  recorders.set(fastify, recorder);
  fastify.addHook('onResponse', (request, reply, done) => {
    try {
      const event = refusalEvent(service, request, reply);
      if (event) recorder.add(event);
    } catch (error) {
      log.error({ err: error }, 'refusal not classified');
    }
    done();
  });
  fastify.addHook('onClose', async () => {
    await recorder.stop();
  });
  return recorder;
}

function refusalEvent(service: string, request: FastifyRequest, reply: FastifyReply): RefusalEvent | null {
  const status = reply.statusCode;
  const note = (request as { [NOTE]?: Note })[NOTE];
  if (note?.onRecord) return null;
  const category = classifyRefusal(status, note?.target !== undefined, note?.protocol === true);
  if (!category) return null;
  const principal = (request as { principal?: { participantId?: string } }).principal;
  const participant = typeof principal?.participantId === 'string' ? principal.participantId : null;
  let claimed: RefusalRecord['claimed'] = null;
  // A limiter may answer before the guard ran: the bearer's claimed subject still says who (unverified).
  if (!participant && (category === 'authentication' || category === 'rate-limit')) {
    const bearer = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const assertion = (request.body as { client_assertion?: unknown } | undefined)?.client_assertion;
    claimed = claimsOf(bearer ?? (typeof assertion === 'string' ? assertion : undefined));
  }
  return {
    service,
    category,
    status,
    code: note?.code ?? (status === 429 ? 'RATE_LIMIT.EXCEEDED' : `HTTP.${status}`),
    method: request.method,
    // The template, not the URL: ids in paths would make every probe its own record (and leak them).
    route: request.routeOptions?.url ?? '(no route)',
    participant,
    claimed,
    ip: request.ip,
    traceId: traceIdOf(request.headers.traceparent),
    ...(note?.target ? { target: note.target } : {}),
    at: new Date(),
  };
}
