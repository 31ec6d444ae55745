/**
 * The outbox of outgoing DSP messages (clearing.dsp_callbacks). A state move writes the message it implies
 * in its own transaction (`enqueue`); the dispatcher sends it afterwards:
 *
 * - never before the answer to the peer's message has been written: a message is due at the earliest
 *   FIRST_SEND_DELAY_MS after it was written, and is sent only once the HTTP answer of the request that
 *   wrote it has gone out (`holdUntilAnswered`). The hold is written into the row (`held_until`), so the
 *   dispatcher of every replica respects it, not only the one answering (ADR 0036);
 * - strictly in order per process: only the oldest pending message of a process is ever sent, and at least
 *   SPACING_MS after the previous one of that process was delivered;
 * - with a deadline per call, retried on 404, 408, 429, 5xx and connection errors with a doubling backoff
 *   (MAX_ATTEMPTS tries over more than 20 s), then dead, which is put on the audit chain; any other answer
 *   (e.g. 400, 409) is a refusal: dead at once, audited;
 * - claimed under a row lock with a lease (FOR UPDATE SKIP LOCKED), so replicas never send one twice at once.
 *
 * Handlers per process kind learn what came of a message (the peer's answer; a dead message), e.g. a
 * negotiation takes the provider pid from the answer to its request, or terminates when it died.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Prisma, PrismaClient } from '@renkei/persistence';
import { appendAudit } from '../../audit/audit-log.js';
import { CLEARING_ACTOR, type ProcessKind } from './dsp-audit.js';
import { DspSettings } from './dsp-settings.js';
import { callPeer, PeerCallError, type PeerAnswer } from './outgoing.js';
import { DspPeers } from './peers.service.js';

export const FIRST_SEND_DELAY_MS = 60;
export const SPACING_MS = 500;
export const MAX_ATTEMPTS = 10;
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8_000;
const IDLE_POLL_MS = 250;
const BATCH = 16;
/** The longest a message waits for its answer to go out (a reply that never finishes, a replica that died). */
export const HOLD_MS = 30_000;

/** Pause before try `attempts + 1` after `attempts` failed: 0.25 s doubling to 8 s (≈ 40 s over 10 tries). */
export function backoffMs(attempts: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(attempts - 1, 0), MAX_BACKOFF_MS);
}

/** Whether a failed call is tried again: 404, 408, 429, 5xx and errors without an answer. */
export function retryable(status: number | null): boolean {
  if (status === null) return true;
  return status === 404 || status === 408 || status === 429 || status === 401 || status >= 500;
}

export interface CallbackProcess {
  kind: ProcessKind;
  id: string;
  /** The peer's participant id (its token, when it is registered with a tokenUrl). */
  peerId: string | null;
  /** The peer's address: the consumer's callbackAddress or the provider's protocol URL. */
  callbackAddress: string;
}

export interface CallbackHandlers {
  /** The peer answered 2xx; `answer` is its body (e.g. the provider's ContractNegotiation). */
  answered?(processId: string, answer: PeerAnswer, url: string): Promise<void>;
  /** The message will never be delivered (refused, or out of tries). */
  dead?(processId: string, error: string, url: string): Promise<void>;
}

type Row = {
  id: bigint;
  process_kind: string;
  process_id: string;
  peer_id: string | null;
  url: string;
  body: unknown;
  attempts: number;
};

/** `base` + `path`, one slash between them. */
export const joinUrl = (base: string, path: string) =>
  `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;

@Injectable()
export class DspCallbacks {
  private readonly logger = new Logger('dsp-callbacks');
  private readonly handlers = new Map<ProcessKind, CallbackHandlers>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = true;
  private busy: Promise<void> = Promise.resolve();
  /**
   * Deliveries under way, by process. A round does not wait for them: a peer that answers only at the call's
   * deadline delays its own process's next message, never another process's.
   */
  private readonly sending = new Map<string, Promise<void>>();
  /** Processes whose newest messages wait for the HTTP answer of the request that wrote them. */
  private readonly held = new Map<string, number>();

  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(DspPeers) private readonly peers: DspPeers,
    @Inject(DspSettings) private readonly settings: DspSettings,
  ) {}

  /** What a process kind's machine does with the answers and failures of its messages. */
  handle(kind: ProcessKind, handlers: CallbackHandlers): void {
    this.handlers.set(kind, handlers);
  }

  /**
   * Writes `message` to the peer of `process` at `<callbackAddress>/<path>`, in the caller's transaction (the
   * state move it belongs to). Sent after the commit, in order, by the dispatcher.
   */
  async enqueue(
    tx: Prisma.TransactionClient,
    process: CallbackProcess,
    path: string,
    message: object,
  ): Promise<void> {
    await tx.dspCallback.create({
      data: {
        processKind: process.kind,
        processId: process.id,
        peerId: process.peerId,
        url: joinUrl(process.callbackAddress, path),
        body: message,
        nextAttemptAt: new Date(Date.now() + FIRST_SEND_DELAY_MS),
        // Written during a peer's request that is held: no replica sends it before the answer is out.
        heldUntil: this.held.has(process.id) ? new Date(Date.now() + HOLD_MS) : null,
      },
    });
  }

  /**
   * Holds the messages of `processId` until `reply` has been sent (its `onSend`/finish), then wakes the
   * dispatcher. Call it in a DSP handler before it enqueues messages, so none can reach the peer before the
   * answer: the messages written meanwhile carry the hold in their row (every replica's dispatcher skips
   * them), which is lifted once the answer is out, or lapses after HOLD_MS.
   */
  holdUntilAnswered(processId: string, reply: { raw: NodeJS.EventEmitter }): void {
    this.held.set(processId, (this.held.get(processId) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = (this.held.get(processId) ?? 1) - 1;
      if (n > 0) {
        this.held.set(processId, n);
        return;
      }
      this.held.delete(processId);
      void this.prisma.$executeRaw`
          UPDATE clearing.dsp_callbacks SET held_until = NULL
          WHERE process_id = ${processId}::uuid AND held_until IS NOT NULL AND sent_at IS NULL`
        .catch((error: unknown) =>
          this.logger.warn(`DSP messages stay held until their hold lapses: ${String(error)}`),
        )
        .finally(() => this.kick(FIRST_SEND_DELAY_MS));
    };
    reply.raw.once('finish', release);
    reply.raw.once('close', release);
    // Never held for ever (a reply that never finishes): the request's own deadline is far shorter.
    setTimeout(release, HOLD_MS).unref();
  }

  /** Sends what is due soon (after a move committed). */
  kick(afterMs = FIRST_SEND_DELAY_MS): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), afterMs);
  }

  start(): void {
    this.stopped = false;
    this.kick(IDLE_POLL_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
    await Promise.all(this.sending.values());
  }

  /** One round: claim what is due (the oldest pending message per process), send each, record the outcome. */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let sent = 0;
    const round = (async () => {
      try {
        const rows = await this.claim();
        sent = rows.length;
        for (const row of rows) {
          const delivery = this.deliver(row)
            .catch((error: unknown) => this.logger.warn(`DSP callback failed: ${String(error)}`))
            .finally(() => {
              this.sending.delete(row.process_id);
              this.kick(50);
            });
          this.sending.set(row.process_id, delivery);
        }
      } catch (error) {
        this.logger.warn(`DSP callback round failed: ${String(error)}`);
      } finally {
        this.running = false;
      }
    })();
    this.busy = round;
    await round;
    if (!this.stopped) this.kick(sent > 0 ? 50 : IDLE_POLL_MS);
    return sent;
  }

  private async claim(): Promise<Row[]> {
    const held = [...this.held.keys(), ...this.sending.keys()];
    const leaseMs = this.settings.callTimeoutMs + 5_000;
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Row[]>`
        WITH heads AS (
          SELECT DISTINCT ON (process_kind, process_id) id
          FROM clearing.dsp_callbacks
          WHERE sent_at IS NULL AND dead_at IS NULL
          ORDER BY process_kind, process_id, id
        )
        SELECT c.id, c.process_kind, c.process_id::text AS process_id, c.peer_id::text AS peer_id, c.url,
               c.body, c.attempts
        FROM clearing.dsp_callbacks c JOIN heads h ON h.id = c.id
        WHERE c.next_attempt_at <= now()
          AND (c.held_until IS NULL OR c.held_until <= now())
          AND NOT (c.process_id::text = ANY(${held}::text[]))
          AND NOT EXISTS (
            SELECT 1 FROM clearing.dsp_callbacks s
            WHERE s.process_kind = c.process_kind AND s.process_id = c.process_id
              AND s.sent_at > now() - make_interval(secs => ${SPACING_MS / 1000}))
        ORDER BY c.id
        LIMIT ${BATCH}
        FOR UPDATE OF c SKIP LOCKED`;
      if (rows.length > 0) {
        // The lease: nobody else takes these until the call's deadline has passed.
        await tx.$executeRaw`
          UPDATE clearing.dsp_callbacks SET next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
          WHERE id = ANY(${rows.map((r) => r.id)}::bigint[])`;
      }
      return rows;
    });
  }

  private async deliver(row: Row): Promise<void> {
    const kind = row.process_kind as ProcessKind;
    let error: string;
    let status: number | null = null;
    try {
      const authorization = await this.peers.authorization(row.peer_id);
      const answer = await callPeer(
        row.url,
        {
          method: 'POST',
          headers: authorization ? { authorization } : {},
          body: JSON.stringify(row.body),
          timeoutMs: this.settings.callTimeoutMs,
        },
        this.settings,
      );
      status = answer.status;
      if (status >= 200 && status < 300) {
        await this.prisma.dspCallback.update({
          where: { id: row.id },
          data: { sentAt: new Date(), attempts: row.attempts + 1, lastError: null },
        });
        await this.handlers
          .get(kind)
          ?.answered?.(row.process_id, answer, row.url)
          .catch((e: unknown) =>
            this.logger.warn(`handling the answer to a DSP message failed: ${String(e)}`),
          );
        return;
      }
      if (status === 401 && row.peer_id) this.peers.forgetToken(row.peer_id);
      error = `HTTP ${status}${answer.text ? `: ${answer.text.slice(0, 300)}` : ''}`;
    } catch (e) {
      const refused = e instanceof PeerCallError && e.kind === 'refused';
      error = e instanceof Error ? e.message : String(e);
      if (refused) return this.die(row, error);
    }
    const attempts = row.attempts + 1;
    if (!retryable(status) || attempts >= MAX_ATTEMPTS) return this.die(row, error, attempts);
    await this.prisma.dspCallback.update({
      where: { id: row.id },
      data: {
        attempts,
        lastError: error.slice(0, 1000),
        nextAttemptAt: new Date(Date.now() + backoffMs(attempts)),
      },
    });
  }

  private async die(row: Row, error: string, attempts = row.attempts + 1): Promise<void> {
    const now = new Date();
    await this.prisma.$transaction(async (tx) => {
      await tx.dspCallback.update({
        where: { id: row.id },
        data: { deadAt: now, attempts, lastError: error.slice(0, 1000) },
      });
      const body = row.body as { '@type'?: unknown };
      await appendAudit(tx, [
        {
          kind: 'dsp.callback.dead',
          at: now,
          actorId: CLEARING_ACTOR,
          dataset: null,
          grantId: null,
          allow: false,
          payload: {
            code: 'DSP.CALLBACK_DEAD',
            process: row.process_id,
            processKind: row.process_kind,
            message: typeof body['@type'] === 'string' ? body['@type'] : null,
            url: row.url.slice(0, 500),
            attempts,
            error: error.slice(0, 500),
          },
        },
      ]);
    });
    this.logger.warn(
      `DSP message ${row.id} to a peer is dead after ${attempts} tries: ${error.slice(0, 200)}`,
    );
    await this.handlers
      .get(row.process_kind as ProcessKind)
      ?.dead?.(row.process_id, error, row.url)
      .catch((e: unknown) => this.logger.warn(`handling a dead DSP message failed: ${String(e)}`));
  }
}
