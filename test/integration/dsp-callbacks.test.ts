/**
 * The outbox of outgoing DSP messages against a real PostgreSQL and a real HTTP peer: messages of one process
 * go out strictly in order, at least 0.5 s apart, never while the answer that wrote them is held; a peer
 * that answers 404 (not ready yet) is tried again with backoff; one that refuses (400) makes the message
 * dead at once, on the audit chain, and the process's handler is told; each answer reaches the handler.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '@renkei/persistence';
import { DspCallbacks } from '../../apps/clearing/src/dsp/core/callbacks.js';
import type { DspPeers } from '../../apps/clearing/src/dsp/core/peers.service.js';
import type { DspSettings } from '../../apps/clearing/src/dsp/core/dsp-settings.js';
import { freshDatabase } from '../support/database.js';

const root = new URL('../..', import.meta.url).pathname;

describe('DSP callback outbox', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let prisma: PrismaClient;
  let server: Server;
  let base = '';
  const received: { path: string; at: number; body: { n?: number } }[] = [];
  /** Path -> statuses to answer, in order (then 200). */
  const script = new Map<string, number[]>();
  const answered: string[] = [];
  /** Every request's path as it arrives, answered or not. */
  const arrived: string[] = [];
  const dead: string[] = [];
  let callbacks: DspCallbacks;

  beforeAll(async () => {
    db = await freshDatabase(root, 'dsp_callbacks');
    prisma = createPrisma(db.url);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        arrived.push(path);
        const status = script.get(path)?.shift() ?? 200;
        // -1: a peer that answers only after the caller's 2 s deadline.
        if (status === -1) {
          setTimeout(() => res.writeHead(200).end(), 2_500).unref();
          return;
        }
        if (status === 200) received.push({ path, at: Date.now(), body: JSON.parse(body) as { n?: number } });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const peers = {
      authorization: () => Promise.resolve(null),
      forgetToken: () => undefined,
    } as unknown as DspPeers;
    const settings = { allowInsecureLoopback: true, callTimeoutMs: 2_000 } as DspSettings;
    callbacks = new DspCallbacks(prisma, peers, settings);
    callbacks.handle('negotiation', {
      answered: (id, _answer, url) => {
        answered.push(`${id} ${url}`);
        return Promise.resolve();
      },
      dead: (id) => {
        dead.push(id);
        return Promise.resolve();
      },
    });
    callbacks.start();
  }, 120_000);

  afterAll(async () => {
    await callbacks?.stop();
    await prisma?.$disconnect();
    await new Promise<void>((r) => server.close(() => r()));
    await db?.drop();
  });

  const enqueue = (id: string, path: string, n: number) =>
    prisma.$transaction((tx) =>
      callbacks.enqueue(tx, { kind: 'negotiation', id, peerId: null, callbackAddress: `${base}/` }, path, {
        '@type': 'X',
        n,
      }),
    );

  const until = async (check: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return check();
  };

  it('sends one process’s messages in order, 0.5 s apart, retrying a 404 before going on', async () => {
    const id = randomUUID();
    script.set(`/p/${id}/1`, [404, 404]);
    for (let n = 1; n <= 3; n++) await enqueue(id, `p/${id}/${n}`, n);
    callbacks.kick(0);
    expect(
      await until(() => received.filter((r) => r.path.startsWith(`/p/${id}/`)).length === 3, 15_000),
    ).toBe(true);
    const mine = received.filter((r) => r.path.startsWith(`/p/${id}/`));
    expect(mine.map((r) => r.body.n)).toEqual([1, 2, 3]);
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.at - mine[i - 1]!.at).toBeGreaterThanOrEqual(480);
    const rows = await prisma.dspCallback.findMany({ where: { processId: id }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.attempts, r.sentAt !== null])).toEqual([
      [3, true],
      [1, true],
      [1, true],
    ]);
    expect(answered.filter((a) => a.startsWith(id))).toHaveLength(3);
  });

  it('holds a process’s messages until the answer that wrote them has been sent', async () => {
    const id = randomUUID();
    const reply = { raw: new EventEmitter() };
    callbacks.holdUntilAnswered(id, reply);
    await enqueue(id, `h/${id}`, 1);
    callbacks.kick(0);
    await new Promise((r) => setTimeout(r, 700));
    expect(received.some((r) => r.path === `/h/${id}`)).toBe(false);
    const answeredAt = Date.now();
    reply.raw.emit('finish');
    expect(await until(() => received.some((r) => r.path === `/h/${id}`), 5_000)).toBe(true);
    expect(received.find((r) => r.path === `/h/${id}`)!.at).toBeGreaterThanOrEqual(answeredAt);
  });

  it('holds the message at every replica, not only the one answering the peer', async () => {
    // A second clearing replica: its own pool and dispatcher, the same table. The request is answered at
    // the first; the second must not send the message before that answer is out.
    const other = createPrisma(db.url);
    const peers = { authorization: () => Promise.resolve(null), forgetToken: () => undefined };
    const replica = new DspCallbacks(
      other,
      peers as unknown as DspPeers,
      {
        allowInsecureLoopback: true,
        callTimeoutMs: 2_000,
      } as DspSettings,
    );
    replica.start();
    try {
      const id = randomUUID();
      const reply = { raw: new EventEmitter() };
      callbacks.holdUntilAnswered(id, reply);
      await enqueue(id, `r/${id}`, 1);
      for (let i = 0; i < 4; i++) {
        await replica.tick();
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(received.some((r) => r.path === `/r/${id}`)).toBe(false);
      const answeredAt = Date.now();
      reply.raw.emit('finish');
      expect(await until(() => received.some((r) => r.path === `/r/${id}`), 5_000)).toBe(true);
      expect(received.find((r) => r.path === `/r/${id}`)!.at).toBeGreaterThanOrEqual(answeredAt);
      expect(received.filter((r) => r.path === `/r/${id}`)).toHaveLength(1);
    } finally {
      await replica.stop();
      await other.$disconnect();
    }
  });

  it('makes a refused message dead at once, audits it, tells the handler, and goes on with the next', async () => {
    const id = randomUUID();
    script.set(`/d/${id}/1`, [400]);
    await enqueue(id, `d/${id}/1`, 1);
    await enqueue(id, `d/${id}/2`, 2);
    callbacks.kick(0);
    expect(await until(() => received.some((r) => r.path === `/d/${id}/2`), 10_000)).toBe(true);
    const first = await prisma.dspCallback.findFirstOrThrow({
      where: { processId: id },
      orderBy: { id: 'asc' },
    });
    expect(first).toMatchObject({ attempts: 1, sentAt: null });
    expect(first.deadAt).not.toBeNull();
    expect(first.lastError).toMatch(/^HTTP 400/);
    expect(dead).toContain(id);
    const audit = await prisma.auditEntry.findMany({ where: { kind: 'dsp.callback.dead' } });
    expect(audit.map((a) => (a.payload as { process: string }).process)).toContain(id);
  });

  it('does not let a peer that answers only at the deadline hold back another process’s message', async () => {
    const [slow, other] = [randomUUID(), randomUUID()];
    script.set(`/slow/${slow}`, [-1]);
    await enqueue(slow, `slow/${slow}`, 1);
    callbacks.kick(0);
    expect(await until(() => arrived.includes(`/slow/${slow}`), 5_000)).toBe(true);
    const queuedAt = Date.now();
    await enqueue(other, `other/${other}`, 1);
    callbacks.kick(0);
    expect(await until(() => received.some((r) => r.path === `/other/${other}`), 5_000)).toBe(true);
    const hit = received.find((r) => r.path === `/other/${other}`)!;
    // The slow call is still waiting for its 2 s deadline: the other message did not wait for it.
    expect(hit.at - queuedAt).toBeLessThan(1_500);
  });

  it('refuses to call a non-loopback http address even with loopback allowed: dead, never sent', async () => {
    const id = randomUUID();
    await prisma.$transaction((tx) =>
      callbacks.enqueue(
        tx,
        { kind: 'negotiation', id, peerId: null, callbackAddress: 'http://10.0.0.1:8080' },
        'x',
        {},
      ),
    );
    callbacks.kick(0);
    expect(await until(() => dead.includes(id), 5_000)).toBe(true);
    const row = await prisma.dspCallback.findFirstOrThrow({ where: { processId: id } });
    expect(row.lastError).toMatch(/may not be called/);
  });
});
