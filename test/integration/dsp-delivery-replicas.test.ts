/**
 * Two clearing replicas and one started consumer transfer: exactly one replica reads the provider's data
 * address at a time (the lease in dsp_transfers); when that replica dies without a word, the other takes
 * the delivery up once the lease lapses; when the transfer stops being STARTED, the reader stops, whichever
 * replica runs it. Real PostgreSQL, a real HTTP provider endpoint.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformProjection } from '@renkei/domain';
import { createPrisma, type PrismaClient } from '@renkei/persistence';
import type { ProjectionSync } from '@renkei/policy';
import { TransferDelivery } from '../../apps/clearing/src/dsp/transfers/transfer-delivery.js';
import type { ClearingSettings } from '../../apps/clearing/src/core/clearing-settings.js';
import type { DspSettings } from '../../apps/clearing/src/dsp/core/dsp-settings.js';
import type { TokensService } from '../../apps/clearing/src/tokens/tokens.service.js';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DSP transfer delivery under two clearing replicas', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pools: PrismaClient[];
  let server: Server;
  let base = '';
  /** Every read of the data address, and those still open. */
  let reads = 0;
  const open = new Set<ServerResponse>();

  beforeAll(async () => {
    db = await freshDatabase(root, 'dsp_delivery_replicas');
    pools = [createPrisma(db.url), createPrisma(db.url)];
    // A provider's stream that never ends by itself: headers, then a heartbeat now and then.
    server = createServer((_req, res) => {
      reads += 1;
      open.add(res);
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"type":"heartbeat"}\n');
      const beat = setInterval(() => res.write('{"type":"heartbeat"}\n'), 500);
      res.on('close', () => {
        clearInterval(beat);
        open.delete(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await Promise.all((pools ?? []).map((p) => p.$disconnect()));
    await db?.drop();
  });

  const replica = (prisma: PrismaClient) =>
    new TransferDelivery(
      prisma,
      {} as TokensService,
      {} as PlatformProjection,
      {} as ProjectionSync,
      { allowInsecureLoopback: true, callTimeoutMs: 2_000 } as DspSettings,
      {} as ClearingSettings,
    );

  const until = async (what: string, check: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
      await sleep(50);
    }
  };

  it('reads at one replica only, moves on when it dies, and stops when the transfer does', async () => {
    const id = randomUUID();
    await pools[0]!.dspTransfer.create({
      data: {
        id,
        side: 'consumer',
        state: 'STARTED',
        peerId: randomUUID(),
        memberId: randomUUID(),
        agreementId: 'agreement-1',
        consumerPid: id,
        providerPid: randomUUID(),
        callbackAddress: `${base}/dsp`,
        format: 'Renkei-NDJSON-STREAM',
        dataAddress: { endpoint: `${base}/data`, authorization: 'Bearer t' },
        intoDataset: 'received.data',
      },
    });
    const [a, b] = [replica(pools[0]!), replica(pools[1]!)];
    try {
      // Both start at once, as two replicas after a deployment.
      await Promise.all([a.resume(), b.resume()]);
      await until('the provider read', () => open.size === 1, 10_000);
      await sleep(2_500); // a scan of each replica later, still one reader
      expect({ reads, open: open.size }).toEqual({ reads: 1, open: 1 });

      // The reader dies without a word (its lease is left as it was): the other takes over once it lapses.
      const holder = a.active.includes(id) ? a : b;
      const other = holder === a ? b : a;
      await holder.onModuleDestroy();
      await until('the other replica reading', () => other.active.includes(id) && open.size === 1, 20_000);
      expect(reads).toBe(2);

      // Suspended (at whichever replica): the reader stops at its next scan.
      await pools[0]!.dspTransfer.update({ where: { id }, data: { state: 'SUSPENDED' } });
      await until('the read stopped', () => open.size === 0 && !other.active.includes(id), 10_000);
      await other.onModuleDestroy();
    } finally {
      await Promise.all([a.onModuleDestroy(), b.onModuleDestroy()]);
    }
  });
});
