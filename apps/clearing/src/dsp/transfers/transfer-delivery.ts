import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { badRequest, PlatformProjection } from '@renkei/domain';
import { PrismaClient, type DspTransferModel as DspTransfer } from '@renkei/persistence';
import { syncFor, type ProjectionSync } from '@renkei/policy';
import { ClearingSettings } from '../../core/clearing-settings.js';
import { PROJECTION_SYNC } from '../../core/clearing-core.module.js';
import { TokensService } from '../../tokens/tokens.service.js';
import { DspSettings } from '../core/dsp-settings.js';
import { addressAllowed, checkOutgoingUrl, isLoopbackAddress } from '../core/outgoing.js';

/** The longest line a provider's stream may send (one event). */
export const MAX_RECEIVED_LINE_BYTES = 1024 * 1024;
/** Events published into the member's dataset per publish call. */
const PUBLISH_BATCH = 200;
/** How long received events wait to be published together. */
const PUBLISH_EVERY_MS = 200;
/** Reconnects after an interrupted read while the transfer stays started. */
const MAX_RECONNECTS = 5;
/** A replica delivering a transfer holds it this long, renewed every SCAN_MS: its death frees it after this. */
const LEASE_MS = 10_000;
/** How often each replica renews its deliveries, stops those that moved on, and takes up unowned ones. */
const SCAN_MS = 2_000;

interface Running {
  abort: AbortController;
  done: Promise<void>;
}

interface ReceivedEvent {
  id?: string;
  type?: string;
  subject?: string;
  occurredAt?: string;
  labels?: string[];
  payload: Record<string, unknown>;
}

/** The endpoint and bearer token of a DSP data address (EDC's endpoint properties, or the flat form). */
export function readDataAddress(address: unknown): { endpoint: string; authorization: string | null } | null {
  if (!address || typeof address !== 'object') return null;
  const a = address as Record<string, unknown>;
  const endpoint = typeof a.endpoint === 'string' ? a.endpoint : null;
  if (!endpoint) return null;
  let authorization: string | null = null;
  if (Array.isArray(a.endpointProperties)) {
    for (const p of a.endpointProperties as Record<string, unknown>[]) {
      if (p && p.name === 'authorization' && typeof p.value === 'string') authorization = p.value;
    }
  }
  if (!authorization && typeof a.authorization === 'string') authorization = a.authorization;
  return { endpoint, authorization };
}

/**
 * Received data into governance (consumer side): a consumer transfer with `into` = a dataset the member
 * registered, once STARTED, reads the provider's data address (the token it was given; SSRF-guarded, a
 * deadline on connecting, bounded lines) and publishes every event into `into` through the exchange's
 * normal publish path, with a publish token clearing asks the token service for on the member's behalf
 * (policy `publish`, audited). It stops the moment the transfer is suspended, completed or terminated here,
 * or when the provider ends the stream.
 */
@Injectable()
export class TransferDelivery implements OnModuleDestroy {
  private readonly logger = new Logger('dsp-delivery');
  private readonly running = new Map<string, Running>();
  /** This replica, as the holder of delivery leases (dsp_transfers.delivery_owner). */
  private readonly owner = randomUUID();
  /**
   * Deliveries whose read ended by itself (the provider sent its end line) while the transfer stays STARTED:
   * their lease is kept, so no replica reads them again until a new start.
   */
  private readonly idle = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(PlatformProjection) private readonly state: PlatformProjection,
    @Inject(PROJECTION_SYNC) private readonly sync: ProjectionSync,
    @Inject(DspSettings) private readonly dsp: DspSettings,
    @Inject(ClearingSettings) private readonly settings: ClearingSettings,
  ) {}

  /** Deliveries in progress (tests, health). */
  get active(): string[] {
    return [...this.running.keys()];
  }

  /**
   * `into` must be a dataset with an active contract the member owns whose terms name this agreement of
   * this provider as their `source` (the lineage the catalog shows). Anything else answers alike.
   */
  async assertInto(memberId: string, into: string, agreementId: string, peerId: string): Promise<void> {
    await syncFor(this.sync, () => this.state.currentContract(into) !== undefined);
    const contract = this.state.currentContract(into);
    const source = contract?.source;
    const ok =
      contract !== undefined &&
      contract.owner === memberId &&
      source !== undefined &&
      source.agreementId === agreementId &&
      source.provider === peerId;
    if (!ok) {
      throw badRequest(
        'TRANSFER.INTO_INVALID',
        `'${into}' is not a dataset of yours whose contract names agreement '${agreementId.slice(0, 100)}' of this provider as its source`,
        [
          {
            path: '/into',
            message: 'a dataset you registered with source: {agreementId, provider, dataset}',
          },
        ],
      );
    }
  }

  /**
   * At start, and then every SCAN_MS: the deliveries of consumer transfers that are STARTED resume (where
   * the provider's exchange stored the grant's position, or wherever its data address starts), as after any
   * interruption. With several clearing replicas each delivery runs at one of them, the holder of its lease
   * (ADR 0036): a replica renews the leases of what it delivers, stops what has moved on or was taken over,
   * and takes up what nobody holds (never started, or its replica died).
   */
  async resume(): Promise<number> {
    const taken = await this.scan();
    this.schedule();
    return taken;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.scan()
        .catch((error: unknown) => this.logger.warn(`DSP delivery leases not renewed: ${String(error)}`))
        .finally(() => this.schedule());
    }, SCAN_MS);
    this.timer.unref();
  }

  /** One round of the lease keeping; resolves with how many deliveries this replica took up. */
  async scan(): Promise<number> {
    const mine = [...this.running.keys(), ...this.idle];
    if (mine.length > 0) {
      const rows = await this.prisma.dspTransfer.findMany({
        where: { id: { in: mine } },
        select: { id: true, state: true, deliveryOwner: true },
      });
      const kept: string[] = [];
      for (const id of mine) {
        const row = rows.find((r) => r.id === id);
        // Ended, suspended or started again elsewhere (another replica handled the newest start): not ours.
        if (row?.state !== 'STARTED' || row.deliveryOwner !== this.owner) this.stop(id);
        else kept.push(id);
      }
      if (kept.length > 0) {
        await this.prisma.$executeRaw`
          UPDATE clearing.dsp_transfers SET delivery_until = now() + make_interval(secs => ${LEASE_MS / 1000})
          WHERE id = ANY(${kept}::uuid[]) AND delivery_owner = ${this.owner}`;
      }
    }
    if (this.stopped) return 0;
    const claimed = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE clearing.dsp_transfers
      SET delivery_owner = ${this.owner}, delivery_until = now() + make_interval(secs => ${LEASE_MS / 1000})
      WHERE id IN (
        SELECT id FROM clearing.dsp_transfers
        WHERE side = 'consumer' AND state = 'STARTED' AND into_dataset IS NOT NULL
          AND (delivery_owner IS NULL OR delivery_until < now())
        ORDER BY updated_at
        LIMIT 100
        FOR UPDATE SKIP LOCKED)
      RETURNING id::text AS id`;
    if (claimed.length === 0) return 0;
    const rows = await this.prisma.dspTransfer.findMany({ where: { id: { in: claimed.map((c) => c.id) } } });
    for (const row of rows) if (row.state === 'STARTED') this.start(row);
    return rows.length;
  }

  /**
   * After a committed move of a consumer transfer: deliver while it is started, stop otherwise. The replica
   * that committed a start takes the lease over (a replica delivering an older start stops at its next scan).
   */
  follow(row: DspTransfer): void {
    if (row.side !== 'consumer' || !row.intoDataset) return;
    if (row.state !== 'STARTED') {
      this.stop(row.id);
      return;
    }
    this.start(row);
    void this.prisma.$executeRaw`
      UPDATE clearing.dsp_transfers
      SET delivery_owner = ${this.owner}, delivery_until = now() + make_interval(secs => ${LEASE_MS / 1000})
      WHERE id = ${row.id}::uuid AND state = 'STARTED'`.catch((error: unknown) =>
      this.logger.warn(`DSP delivery lease of transfer ${row.id} not taken: ${String(error)}`),
    );
  }

  /** Reads the transfer's data address here (a new start replaces a running read). */
  private start(row: DspTransfer): void {
    const address = readDataAddress(row.dataAddress);
    if (!address) {
      this.logger.warn(`transfer ${row.id} started without a data address: nothing to deliver`);
      return;
    }
    // A new start (a new token) replaces the running read.
    this.stop(row.id);
    const abort = new AbortController();
    const done = this.run(row, address, abort.signal)
      .catch((error: unknown) => this.logger.warn(`delivery of transfer ${row.id} stopped: ${String(error)}`))
      .finally(() => {
        if (this.running.get(row.id)?.abort !== abort) return;
        this.running.delete(row.id);
        if (!abort.signal.aborted) this.idle.add(row.id);
      });
    this.idle.delete(row.id);
    this.running.set(row.id, { abort, done });
  }

  stop(id: string): void {
    this.idle.delete(id);
    const running = this.running.get(id);
    if (!running) return;
    running.abort.abort();
    this.running.delete(id);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const all = [...this.running.values()];
    for (const r of all) r.abort.abort();
    await Promise.allSettled(all.map((r) => r.done));
    this.running.clear();
  }

  private async run(
    row: DspTransfer,
    address: { endpoint: string; authorization: string | null },
    signal: AbortSignal,
  ): Promise<void> {
    const into = row.intoDataset!;
    let publishToken: { token: string; until: number } | null = null;
    const publishAuth = async () => {
      if (!publishToken || publishToken.until < Date.now()) {
        const t = await this.tokens.publishTokenFor(row.memberId, into);
        publishToken = { token: t.access_token, until: Date.now() + (t.expires_in - 30) * 1000 };
      }
      return `Bearer ${publishToken.token}`;
    };
    let pending: ReceivedEvent[] = [];
    let timer: NodeJS.Timeout | undefined;
    let flushing: Promise<void> = Promise.resolve();
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      const events = pending;
      pending = [];
      if (events.length === 0) return flushing;
      flushing = flushing.then(() => this.publish(into, events, publishAuth));
      return flushing;
    };
    let after = '';
    for (let attempt = 0; attempt <= MAX_RECONNECTS && !signal.aborted; attempt += 1) {
      const url = after ? `${address.endpoint}?after=${encodeURIComponent(after)}` : address.endpoint;
      const positions = new Map<string, string>();
      const ended = await this.read(url, address.authorization, signal, (line) => {
        if (line.type === 'event' && line.event && typeof line.event === 'object') {
          const e = line.event as Record<string, unknown>;
          pending.push({
            ...(typeof e.id === 'string' ? { id: e.id } : {}),
            ...(typeof e.type === 'string' ? { type: e.type } : {}),
            ...(typeof e.subject === 'string' ? { subject: e.subject } : {}),
            ...(typeof e.occurredAt === 'string' ? { occurredAt: e.occurredAt } : {}),
            payload: (e.payload as Record<string, unknown>) ?? {},
          });
          if (typeof line.position === 'string') {
            const [p] = line.position.split(':');
            positions.set(p!, line.position);
          }
          if (pending.length >= PUBLISH_BATCH) void flush();
          else timer ??= setTimeout(() => void flush(), PUBLISH_EVERY_MS);
        }
      });
      await flush();
      if (positions.size > 0) after = [...positions.values()].join(',');
      // The provider ended the read (its transfer or grant ended, the snapshot is complete): no reconnect.
      if (ended === 'ended' || signal.aborted) return;
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 5_000)));
    }
  }

  /** Publishes received events into the member's dataset through the exchange (its normal path). */
  private async publish(into: string, events: ReceivedEvent[], auth: () => Promise<string>): Promise<void> {
    const base = this.settings.exchangeUrl.replace(/\/+$/, '');
    const res = await fetch(`${base}/datasets/${encodeURIComponent(into)}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: await auth() },
      body: JSON.stringify({ events }),
      signal: AbortSignal.timeout(this.dsp.callTimeoutMs),
    });
    if (!res.ok) {
      const text = (await res.text()).slice(0, 300);
      throw new Error(`publishing into '${into}' answered ${res.status}: ${text}`);
    }
  }

  /**
   * One read of the provider's endpoint (NDJSON lines), under the SSRF guard: connects within the call
   * deadline, refuses a line longer than MAX_RECEIVED_LINE_BYTES, stops when aborted. Resolves 'ended' when
   * the provider sent its end line, 'interrupted' when the connection broke first.
   */
  private read(
    raw: string,
    authorization: string | null,
    signal: AbortSignal,
    onLine: (line: Record<string, unknown>) => void,
  ): Promise<'ended' | 'interrupted'> {
    const url = checkOutgoingUrl(raw, this.dsp);
    const plainHttp = url.protocol === 'http:';
    const policy = this.dsp;
    const lookup = (hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
      dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, '');
        const ok = (a: dns.LookupAddress) =>
          plainHttp
            ? policy.allowInsecureLoopback && isLoopbackAddress(a.address)
            : addressAllowed(a.address, policy);
        if (addresses.length === 0 || !addresses.every(ok))
          return callback(
            Object.assign(new Error(`address of ${hostname} not allowed`), { code: 'EADDRNOTALLOWED' }),
            '',
          );
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
    return new Promise((resolve, reject) => {
      let buffered = '';
      let ended = false;
      const req = (plainHttp ? http : https).request(url, {
        method: 'GET',
        headers: {
          accept: 'application/x-ndjson, application/json',
          ...(authorization
            ? { authorization: /^bearer /i.test(authorization) ? authorization : `Bearer ${authorization}` }
            : {}),
        },
        lookup: lookup as unknown as typeof dns.lookup,
        signal,
      });
      const connectTimer = setTimeout(
        () => req.destroy(new Error('no answer within the deadline')),
        this.dsp.callTimeoutMs,
      );
      req.on('response', (res) => {
        clearTimeout(connectTimer);
        if ((res.statusCode ?? 0) >= 400) {
          res.resume();
          // A refusal (the token is no longer honoured): the transfer's data is not ours to read any more.
          resolve('ended');
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const text = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (!text.trim()) continue;
            try {
              const line = JSON.parse(text) as Record<string, unknown>;
              if (line.type === 'end') ended = true;
              onLine(line);
            } catch {
              // A line that is not JSON is skipped; the provider's stream stays readable.
            }
          }
          if (Buffer.byteLength(buffered) > MAX_RECEIVED_LINE_BYTES) {
            res.destroy(new Error('a line is too long'));
          }
        });
        res.on('end', () => resolve(ended ? 'ended' : 'interrupted'));
        res.on('error', () => resolve(ended ? 'ended' : 'interrupted'));
        res.on('close', () => resolve(ended ? 'ended' : 'interrupted'));
      });
      req.on('error', (error) => {
        clearTimeout(connectTimer);
        if (signal.aborted) resolve('ended');
        else if ((error as NodeJS.ErrnoException).code === 'EADDRNOTALLOWED') reject(error);
        else resolve('interrupted');
      });
      req.end();
    });
  }
}
