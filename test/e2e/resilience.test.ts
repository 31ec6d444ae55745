/**
 * Nothing acknowledged is lost across restarts: a consumer resumes after the last events written to it,
 * or exactly after the positions it says it processed, even when the exchange was killed in between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient, RenkeiError, type DeliveryStream, type StreamLine } from '@renkei/sdk';
import {
  participantKey as key,
  publicJwk as pub,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import type { RunningPlatform } from '../support/platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';

type EventLine = Extract<StreamLine, { type: 'event' }>;

async function read(stream: DeliveryStream, count: number, timeoutMs = 15_000): Promise<EventLine[]> {
  const out: EventLine[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    const line = await stream.read(deadline - Date.now());
    if (!line) break;
    if (line.type === 'event') out.push(line);
    if (line.type === 'end') break;
  }
  return out;
}

/** Reads until nothing arrives for `quietMs`: proves no extra (duplicate) events follow. */
async function readUntilQuiet(stream: DeliveryStream, quietMs = 1_500): Promise<EventLine[]> {
  const out: EventLine[] = [];
  for (;;) {
    const line = await stream.read(quietMs);
    if (!line || line.type === 'end') return out;
    if (line.type === 'event') out.push(line);
  }
}

describe('delivery survives disconnects and an exchange crash', () => {
  let env: TestPlatform;
  let platform: RunningPlatform;
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let grantId: string;
  let publishToken: string;
  const lots = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      subject: `${prefix}-${i}`,
      payload: { lotId: `${prefix}-${i}`, cellModel: 'X', cfpKgCo2ePerKwh: 50 + i },
    }));
  const ids = (lines: EventLine[]) => lines.map((l) => String(l.event.payload.lotId)).sort();

  beforeAll(async () => {
    env = await startTestPlatform('resilience', 4121);
    platform = env.platform;
    const admin = env.admin;
    const [kc, ka] = [await key('c'), await key('a')];
    const c = await admin.onboard({ ...cellMaker, jwks: { keys: [pub(kc)] } });
    const a = await admin.onboard({ ...automaker, jwks: { keys: [pub(ka)] } });
    cell = new RenkeiClient(platform.endpoints, { clientId: c.id, privateJwk: kc });
    auto = new RenkeiClient(platform.endpoints, { clientId: a.id, privateJwk: ka });
    await cell.registerContract(batteryCfpContract);
    grantId = (await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' })).id;
    await cell.approveGrant(grantId);
    publishToken = await cell.datasetToken('battery.cfp', 'publish');
  });

  afterAll(async () => {
    await env?.stop();
  });

  const subscribe = async (after?: Record<number, string>) =>
    auto.stream(
      'battery.cfp',
      await auto.datasetToken('battery.cfp', 'subscribe', grantId),
      after ? { after } : {},
    );

  it('resumes after the last events written to the consumer, without repeating them', async () => {
    const first = await subscribe();
    await cell.publish('battery.cfp', publishToken, lots('a', 6));
    expect(ids(await read(first, 6))).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5']);
    first.close();
    await cell.publish('battery.cfp', publishToken, lots('b', 4));
    const second = await subscribe();
    expect(ids(await readUntilQuiet(second))).toEqual(['b-0', 'b-1', 'b-2', 'b-3']);
    second.close();
  });

  it('loses nothing acknowledged when the exchange is killed: events published after the restart arrive too', async () => {
    await platform.restart('exchange', 'SIGKILL');
    await expect(cell.publish('battery.cfp', publishToken, lots('c', 5))).resolves.toMatchObject({
      accepted: 5,
    });
    // The killed process's group membership lapses after the session timeout; then delivery resumes.
    const third = await subscribe();
    const resumed = await read(third, 5, 30_000);
    expect(ids([...resumed, ...(await readUntilQuiet(third))])).toEqual(['c-0', 'c-1', 'c-2', 'c-3', 'c-4']);
    third.close();
  });

  it('replays exactly after the positions a client says it processed', async () => {
    // Start over from nothing processed on any partition but one event of the "a" lots.
    const all = await subscribe({ 0: '-1', 1: '-1', 2: '-1' }).catch((e: unknown) => e);
    expect(all).toBeInstanceOf(RenkeiError); // offsets are never negative: a clear 400, not a silent replay
    expect((all as RenkeiError).code).toBe('STREAM.INVALID_POSITION');

    const replay = await subscribe({ 0: '0', 1: '0', 2: '0' });
    const lines = await readUntilQuiet(replay);
    replay.close();
    // Every event but the first of each partition, each exactly once, with its position.
    const total = 6 + 4 + 5;
    const partitionsUsed = new Set(lines.map((l) => l.position.split(':')[0]));
    expect(lines).toHaveLength(total - partitionsUsed.size);
    expect(new Set(lines.map((l) => l.event.id)).size).toBe(lines.length);
    for (const l of lines) expect(Number(l.position.split(':')[1])).toBeGreaterThan(0);
  });
});
