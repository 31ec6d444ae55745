import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { CLOCK, type Clock } from '@renkei/domain';
import { OutboxRelay } from '@renkei/kafka';
import { PrismaClient } from '@renkei/persistence';
import { appendAudit } from '../audit/audit-log.js';
import { SYSTEM_ACTOR, deletionEntry } from '../deletion/obligations.js';
import { GrantsService } from '../grants/grants.service.js';

export interface SweeperOptions {
  /** The longest time between two sweeps; sooner when a validity or deadline ends earlier. */
  intervalMs: number;
  logger: Logger;
}

export interface SweepResult {
  expired: number;
  overdue: number;
}

/** Rows claimed per transaction. */
const BATCH = 100;
/** A full batch of transitions fits well inside this; Prisma's default (5 s) is meant for one request. */
const TX_OPTIONS = { timeout: 30_000, maxWait: 10_000 };
/** The shortest pause between sweeps, so a row another replica holds does not make us spin. */
const MIN_DELAY_MS = 20;

/**
 * What happens by time alone: grants whose validity ended become `expired` (through the grants' guarded
 * transition, so the transition record, the `grant.changed` event, the audit entry and the deletion
 * obligation commit together), and open deletion obligations past their deadline become `overdue` and
 * are flagged to compliance, once. Rows are claimed with FOR UPDATE SKIP LOCKED: replicas running the same
 * sweep share the work and never process a row twice.
 *
 * It lives apart from grants/ and deletion/ because it drives both: grants/ opens the deletion obligation
 * when a grant ends (grants imports deletion), and this sweep ends grants through GrantsService.
 */
@Injectable()
export class DeadlineSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private options: SweeperOptions | undefined;

  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(GrantsService) private readonly grants: GrantsService,
  ) {}

  start(options: SweeperOptions): void {
    this.options = options;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops scheduling and waits for a sweep under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One sweep: expire, then flag. The grant events are on Kafka when it resolves (or queued in the outbox). */
  async sweep(): Promise<SweepResult> {
    const now = this.clock.now();
    const expired = await this.expireEnded(now);
    if (expired > 0) await this.outbox.flush();
    const overdue = await this.flagOverdue(now);
    return { expired, overdue };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const { intervalMs, logger } = this.options!;
    let delay = intervalMs;
    try {
      const result = await this.sweep();
      if (result.expired > 0 || result.overdue > 0) logger.info(result, 'deletion sweep');
      delay = await this.nextDelay(intervalMs);
    } catch (err) {
      logger.error({ err }, 'deletion sweep failed; retrying at the next interval');
    }
    this.schedule(delay);
  }

  /** Wakes at the next known end of validity or deadline if that comes before the interval is up. */
  private async nextDelay(intervalMs: number): Promise<number> {
    const [next] = await this.prisma.$queryRaw<{ at: Date | null }[]>`
      SELECT least(
        (SELECT min(valid_until) FROM clearing.grants WHERE state IN ('granted', 'suspended')),
        (SELECT min(due_at) FROM clearing.deletion_obligations WHERE status = 'open')
      ) AS at`;
    if (!next?.at) return intervalMs;
    // An obligation is overdue once its deadline has passed, not at it.
    const wait = new Date(next.at).getTime() + 1 - this.clock.now().getTime();
    return Math.min(intervalMs, Math.max(MIN_DELAY_MS, wait));
  }

  private async expireEnded(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.prisma.$transaction(async (tx) => {
        const ended = await tx.$queryRaw<{ id: string }[]>`
          SELECT id::text AS id FROM clearing.grants
          WHERE state IN ('granted', 'suspended') AND valid_until <= ${now.toISOString()}::timestamptz
          ORDER BY valid_until
          LIMIT ${BATCH}
          FOR UPDATE SKIP LOCKED`;
        for (const { id } of ended) {
          const grant = await tx.grant.findUniqueOrThrow({ where: { id } });
          await this.grants.transition(tx, grant, 'expired', SYSTEM_ACTOR, 'validity ended', now);
        }
        return ended.length;
      }, TX_OPTIONS);
      total += count;
      if (count < BATCH) return total;
    }
  }

  private async flagOverdue(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.prisma.$transaction(async (tx) => {
        const due = await tx.$queryRaw<{ id: string }[]>`
          SELECT id::text AS id FROM clearing.deletion_obligations
          WHERE status = 'open' AND due_at < ${now.toISOString()}::timestamptz
          ORDER BY due_at
          LIMIT ${BATCH}
          FOR UPDATE SKIP LOCKED`;
        if (due.length === 0) return 0;
        const ids = due.map((d) => d.id);
        await tx.deletionObligation.updateMany({
          where: { id: { in: ids } },
          data: { status: 'overdue', flaggedAt: now },
        });
        const flagged = await tx.deletionObligation.findMany({
          where: { id: { in: ids } },
          orderBy: { dueAt: 'asc' },
        });
        await appendAudit(
          tx,
          flagged.map((o) =>
            deletionEntry('deletion.overdue', now, SYSTEM_ACTOR, o, {
              obligationId: o.id,
              consumer: o.consumerId,
              originator: o.originatorId,
              cause: o.cause,
              dueAt: o.dueAt.toISOString(),
              flaggedAt: now.toISOString(),
            }),
          ),
        );
        return due.length;
      }, TX_OPTIONS);
      total += count;
      if (count < BATCH) return total;
    }
  }
}
