import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { PlatformEvent, PlatformProjection } from '@renkei/domain';
import type { PrismaClient } from '@renkei/persistence';

type ContractEvent = Extract<PlatformEvent, { contract: unknown }>;

const kinds = {
  'contract.published': 'CONTRACT.NEW_VERSION',
  'contract.deprecated': 'CONTRACT.DEPRECATED',
  'contract.retired': 'CONTRACT.RETIRED',
} as const;

function messageFor(event: ContractEvent): string {
  const { dataset, version } = event.contract;
  switch (event.type) {
    case 'contract.published':
      return `Version ${version} of '${dataset}' is published; new events follow it. Read its terms with GET /contracts/${dataset}/versions/${version} on the registry`;
    case 'contract.deprecated':
      return `Version ${version} of '${dataset}' is deprecated and will be retired; plan to move to the current version`;
    case 'contract.drafted':
      return `Version ${version} of '${dataset}' is a draft; nothing follows it yet`;
    case 'contract.retired':
      return `Version ${version} of '${dataset}' is retired; nothing is published or delivered under it any more`;
  }
}

/**
 * Tells every consumer holding access to a dataset (a granted or suspended grant) when its contract gets a
 * new version, is deprecated or retired. Replaying the registry topic at start produces the same
 * notifications again; the (grant, kind, version) key makes that a no-op, so nothing is told twice.
 */
export interface NotifierRetry {
  /** Tries in all before a notification is given up (and logged as lost). */
  attempts: number;
  /** Wait before the second try; doubled before each further one. */
  baseDelayMs: number;
}

export class ContractNotifier {
  private stopListening: (() => void) | null = null;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly state: PlatformProjection,
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly retry: NotifierRetry = { attempts: 5, baseDelayMs: 200 },
  ) {}

  start(): void {
    this.stopped = false;
    this.stopListening = this.state.onEvent((event) => {
      if (!('contract' in event) || event.type === 'contract.drafted') return;
      // In order, one at a time: notifications about one dataset keep the order of its events.
      this.queue = this.queue
        .then(() => this.notifyWithRetry(event))
        .catch((err: unknown) => {
          this.logger.error(
            { err, dataset: event.contract.dataset, type: event.type, attempts: this.retry.attempts },
            'could not record contract notifications; they are lost until the registry topic is replayed',
          );
        });
    });
  }

  /**
   * A passing database failure (a restart, a failover) must not lose the notification: it is tried again
   * with exponential backoff. The (grant, kind, version) key makes a retry after a partial write harmless.
   */
  private async notifyWithRetry(event: ContractEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.notify(event);
      } catch (err) {
        if (attempt >= this.retry.attempts || this.stopped) throw err;
        const delayMs = this.retry.baseDelayMs * 2 ** (attempt - 1);
        this.logger.warn(
          { err, dataset: event.contract.dataset, type: event.type, attempt, retryInMs: delayMs },
          'could not record contract notifications; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** Resolves when every event seen so far has been turned into notifications. */
  idle(): Promise<void> {
    return this.queue;
  }

  stop(): void {
    this.stopped = true;
    this.stopListening?.();
  }

  private async notify(event: ContractEvent): Promise<void> {
    const type = event.type;
    if (type === 'contract.drafted') return;
    const { dataset, version } = event.contract;
    if (event.type === 'contract.published') {
      const others = [...(this.state.contracts.get(dataset)?.values() ?? [])].filter(
        (c) => c.version !== version && c.status !== 'draft',
      );
      if (others.length === 0) return; // a dataset's first version: nobody holds access yet
    }
    const at = event.at ? new Date(event.at) : new Date();
    const grants = await this.prisma.grant.findMany({
      where: { dataset, state: { in: ['granted', 'suspended'] }, validFrom: { lte: at } },
      select: { id: true, consumerId: true },
    });
    if (grants.length === 0) return;
    const message = messageFor(event);
    await this.prisma.notification.createMany({
      data: grants.map((g) => ({
        id: randomUUID(),
        participantId: g.consumerId,
        grantId: g.id,
        kind: kinds[type],
        dataset,
        version,
        message,
        reason: event.reason ?? null,
        eventAt: at,
      })),
      skipDuplicates: true,
    });
  }
}
