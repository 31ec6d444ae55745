/**
 * Delivery from one shared consumer per dataset (ADR 0027): many streams of one dataset are fed by a single
 * consumer group, a revocation during the fan-out still wins for the revoked grant only, a stream that
 * starts behind the live ones joins them without a gap or a duplicate, and closing the streams leaves no
 * consumer group behind on the broker.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkaConnectionFromEnv } from '@renkei/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient, type DeliveryStream, type StreamLine } from '@renkei/sdk';
import {
  corporateNumber,
  participantKey as key,
  publicJwk as pub,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';

type EventLine = Extract<StreamLine, { type: 'event' }>;

/** Everything one stream delivers until it ends or is told to stop, each line with when it arrived. */
class Collector {
  readonly events: EventLine[] = [];
  end: Extract<StreamLine, { type: 'end' }> | undefined;
  endedAt = 0;
  private stopped = false;
  readonly done: Promise<void>;

  constructor(readonly stream: DeliveryStream) {
    this.done = (async () => {
      while (!this.stopped) {
        const line = await stream.read(200);
        if (!line) continue;
        if (line.type === 'event') this.events.push(line);
        if (line.type === 'end') {
          this.end = line;
          this.endedAt = Date.now();
          return;
        }
      }
    })();
  }

  /** In delivery order (per partition the order of the topic). */
  ids(): string[] {
    return this.events.map((l) => l.event.id);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    this.stream.close();
  }
}

const until = async (check: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return check();
};

describe('delivery from one shared consumer per dataset', () => {
  let env: TestPlatform;
  let cell: RenkeiClient;
  let publishToken: string;
  let admin: Admin;
  /** One stream per grant: eight consumers, two purposes each. */
  const grants: { client: RenkeiClient; grantId: string }[] = [];
  let open: Collector[] = [];
  const published: string[] = [];

  const publish = async (n: number, prefix: string) => {
    const result = await cell.publish(
      'battery.cfp',
      publishToken,
      Array.from({ length: n }, (_, i) => ({
        subject: `${prefix}-${i}`,
        payload: { lotId: `${prefix}-${i}`, cellModel: 'X', cfpKgCo2ePerKwh: 50 },
      })),
    );
    published.push(...result.eventIds);
    return result.eventIds;
  };
  const subscribe = async ({ client, grantId }: (typeof grants)[number], after?: Record<number, string>) =>
    new Collector(
      await client.stream(
        'battery.cfp',
        await client.datasetToken('battery.cfp', 'subscribe', grantId),
        after ? { after } : {},
      ),
    );
  /** The consumer groups this platform's exchange holds for data topics. */
  const dataGroups = async () =>
    (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((id) => id.startsWith(`${env.topicPrefix}.data.`) || id.startsWith('renkei.grant.'))
      .filter((id) => !id.startsWith('renkei.grant.') || grants.some((g) => id.endsWith(g.grantId)));

  beforeAll(async () => {
    env = await startTestPlatform('delivery-fanout', 4705);
    const kc = await key('c');
    const c = await env.admin.onboard({ ...cellMaker, jwks: { keys: [pub(kc)] } });
    cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: kc });
    await cell.registerContract(batteryCfpContract);
    for (let i = 0; i < 8; i++) {
      const k = await key(`a${i}`);
      const member = await env.admin.onboard({
        ...automaker,
        legalName: `Fan-out Motors ${i} K.K.`,
        corporateNumber: corporateNumber(`8800010250${i}0`),
        jwks: { keys: [pub(k)] },
      });
      const client = new RenkeiClient(env.platform.endpoints, { clientId: member.id, privateJwk: k });
      for (const purpose of batteryCfpContract.purposes) {
        const grantId = (await client.requestGrant({ dataset: 'battery.cfp', purpose })).id;
        await cell.approveGrant(grantId);
        grants.push({ client, grantId });
      }
    }
    publishToken = await cell.datasetToken('battery.cfp', 'publish');
    admin = new Kafka({
      brokers: process.env.KAFKA_BROKERS!.split(','),
      clientId: 'e2e-delivery-fanout',
      logLevel: logLevel.NOTHING,
      ...kafkaConnectionFromEnv(),
    }).admin();
    await admin.connect();
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(open.map((c) => c.stop()));
    await admin?.disconnect();
    await env?.stop();
  });

  it('delivers every event to each of sixteen streams through one consumer group, none per grant', async () => {
    open = await Promise.all(grants.map((g) => subscribe(g)));
    const ids = await publish(20, 'first');
    expect(await until(() => open.every((c) => c.events.length >= 20), 15_000)).toBe(true);
    for (const c of open) expect(c.ids().sort()).toEqual([...ids].sort());
    const groups = await dataGroups();
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatch(new RegExp(`^${env.topicPrefix}\\.data\\.battery\\.cfp\\.feed\\.`));
  });

  it('ends only the revoked grant’s stream within a second, and nothing published after the revocation reaches it', async () => {
    const victim = open[5]!;
    const victimGrant = grants[5]!.grantId;
    let publishing = true;
    const afterRevocation: string[] = [];
    let revokedAt = 0;
    // Publications one after the other while the revocation is made: those that start after it was
    // acknowledged must never reach the revoked grant.
    const publisher = (async () => {
      for (let i = 0; publishing; i++) {
        const startedAfter = revokedAt > 0;
        const ids = await publish(2, `during-${i}`);
        if (startedAfter) afterRevocation.push(...ids);
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    await cell.revokeGrant(victimGrant, 'fan-out test');
    revokedAt = Date.now();
    expect(await until(() => victim.end !== undefined, 5_000)).toBe(true);
    expect(victim.end).toMatchObject({ code: 'GRANT.REVOKED' });
    expect(victim.endedAt - revokedAt).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 500));
    publishing = false;
    await publisher;
    expect(afterRevocation.length).toBeGreaterThan(0);
    const received = new Set(victim.ids());
    for (const id of afterRevocation) expect(received.has(id)).toBe(false);
    // Every other stream goes on, each event exactly once.
    const live = open.filter((c) => c !== victim);
    expect(await until(() => live.every((c) => c.events.length >= published.length), 15_000)).toBe(true);
    for (const c of live) expect(c.ids().sort()).toEqual([...published].sort());
    open = live;
    grants.splice(5, 1);
  });

  it('lets a stream that starts behind the live ones catch up and join them without a gap or a duplicate', async () => {
    const behind = open[0]!;
    const first = behind.events[4]!;
    await behind.stop();
    const [partition, offset] = first.position.split(':');
    // Resume after one early position on one partition (the others from the grant's stored positions).
    const rejoined = await subscribe(grants[0]!, { [Number(partition)]: offset! });
    const more = await publish(10, 'after-rejoin');
    const expectedAgain = behind.events
      .filter((l) => {
        const [p, o] = l.position.split(':');
        return p === partition && BigInt(o!) > BigInt(offset!);
      })
      .map((l) => l.event.id);
    expect(await until(() => rejoined.events.length >= expectedAgain.length + more.length, 15_000)).toBe(
      true,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const ids = rejoined.ids();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !more.includes(id)).sort()).toEqual([...expectedAgain].sort());
    for (const id of more) expect(ids).toContain(id);
    // The streams that were live all along saw the rewind of the shared consumer not at all.
    const others = open.slice(1);
    expect(await until(() => others.every((c) => c.events.length >= published.length), 15_000)).toBe(true);
    for (const c of others) expect(c.ids().sort()).toEqual([...published].sort());
    open = [rejoined, ...others];
  });

  it('releases the shared consumer and deletes its group once the last stream closes', async () => {
    expect(await dataGroups()).toHaveLength(1);
    const closedAt = Date.now();
    await Promise.all(open.map((c) => c.stop()));
    open = [];
    let left = await dataGroups();
    while (left.length > 0 && Date.now() - closedAt < 5_000) left = await dataGroups();
    expect(left).toEqual([]);
    // Within a second of the close on an idle machine; the margin is for the shared two-core runner.
    expect(Date.now() - closedAt).toBeLessThan(2_000);
  });
});
