import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { concealing, notFound, onRecord, forbidden, type RefusalRecord } from '@renkei/domain';
import {
  claimsOf,
  classifyRefusal,
  RefusalAggregator,
  traceIdOf,
  type RefusalEvent,
} from './refusal-audit.js';

const quiet = pino({ level: 'silent' });
const event = (over: Partial<RefusalEvent> = {}): RefusalEvent => ({
  service: 'clearing',
  category: 'authentication',
  status: 401,
  code: 'TOKEN.EXPIRED',
  method: 'GET',
  route: '/grants/:id',
  participant: null,
  claimed: null,
  ip: '10.0.0.1',
  traceId: null,
  at: new Date('2026-12-02T06:00:00.000Z'),
  ...over,
});
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('classifyRefusal', () => {
  it('records 401, 403 and 429, and a 404 only when the service says it conceals something', () => {
    expect(classifyRefusal(401, false)).toBe('authentication');
    expect(classifyRefusal(403, false)).toBe('authorization');
    expect(classifyRefusal(429, false)).toBe('rate-limit');
    expect(classifyRefusal(404, true)).toBe('ownership');
    expect(classifyRefusal(404, false)).toBeNull();
    expect(classifyRefusal(400, false)).toBeNull();
    expect(classifyRefusal(409, false)).toBeNull();
  });

  it('records any 4xx of a protocol refusal (illegal move, refused DSP request), never a 5xx', () => {
    expect(classifyRefusal(409, false, true)).toBe('protocol');
    expect(classifyRefusal(400, false, true)).toBe('protocol');
    expect(classifyRefusal(404, false, true)).toBe('protocol');
    expect(classifyRefusal(404, true, true)).toBe('ownership');
    expect(classifyRefusal(401, false, true)).toBe('authentication');
    expect(classifyRefusal(503, false, true)).toBeNull();
  });

  it('marks concealed 404s and policy denies without changing the error the caller sees', () => {
    const hidden = concealing(notFound('GRANT.NOT_FOUND', 'No grant'), { type: 'grant', id: 'g1' });
    expect(hidden.code).toBe('GRANT.NOT_FOUND');
    expect(Object.keys(hidden)).not.toContain('concealed');
    expect(JSON.stringify(hidden)).not.toContain('g1');
    const deny = onRecord(forbidden('PURPOSE.NOT_ALLOWED', 'denied'));
    expect(deny.code).toBe('PURPOSE.NOT_ALLOWED');
  });
});

describe('claimsOf', () => {
  it('keeps only sub and iss of a refused token, unverified and truncated', () => {
    const jwt = `${b64({ alg: 'none' })}.${b64({ sub: 'p-1', iss: 'x'.repeat(500), scope: 'admin', secret: 's' })}.`;
    const claimed = claimsOf(jwt)!;
    expect(claimed).toEqual({ sub: 'p-1', iss: 'x'.repeat(200), verified: false });
    expect(JSON.stringify(claimed)).not.toContain('secret');
  });

  it('strips control characters and ignores garbage', () => {
    expect(claimsOf(`a.${b64({ sub: 'p\u0000-\n1' })}.c`)).toEqual({ sub: 'p-1', verified: false });
    expect(claimsOf('not-a-jwt')).toBeNull();
    expect(claimsOf('a.!!!.c')).toBeNull();
    expect(claimsOf(undefined)).toBeNull();
  });
});

describe('traceIdOf', () => {
  it('takes the trace id of a well-formed traceparent only', () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull();
    expect(traceIdOf('garbage')).toBeNull();
  });
});

describe('RefusalAggregator', () => {
  const collect = () => {
    const flushed: RefusalRecord[][] = [];
    const sink = (records: RefusalRecord[]) => {
      flushed.push(records);
      return Promise.resolve();
    };
    return { flushed, sink };
  };

  it('folds repeated refusals of one actor, code and route into one record with a count and time span', async () => {
    const { flushed, sink } = collect();
    const agg = new RefusalAggregator(sink, quiet, { maxKeys: 100 });
    for (let i = 0; i < 1000; i++)
      agg.add(event({ at: new Date(Date.parse('2026-12-02T06:00:00.000Z') + i * 1000) }));
    agg.add(event({ code: 'TOKEN.INVALID' }));
    expect(agg.size).toBe(2);
    await agg.flush();
    expect(flushed).toHaveLength(1);
    const expired = flushed[0]!.find((r) => r.code === 'TOKEN.EXPIRED')!;
    expect(expired).toMatchObject({
      count: 1000,
      firstAt: '2026-12-02T06:00:00.000Z',
      lastAt: '2026-12-02T06:16:39.000Z',
      route: '/grants/:id',
    });
    await agg.flush();
    expect(flushed).toHaveLength(1);
  });

  it('keeps a few distinct targets of concealed refusals, not every probed id', async () => {
    const { flushed, sink } = collect();
    const agg = new RefusalAggregator(sink, quiet, { maxKeys: 100 });
    for (let i = 0; i < 50; i++)
      agg.add(
        event({
          status: 404,
          category: 'ownership',
          code: 'GRANT.NOT_FOUND',
          participant: 'p-1',
          target: { type: 'grant', id: `g${i % 10}` },
        }),
      );
    await agg.flush();
    expect(flushed[0]).toHaveLength(1);
    expect(flushed[0]![0]!.count).toBe(50);
    expect(flushed[0]![0]!.targets.map((t) => t.id)).toEqual(['g0', 'g1', 'g2', 'g3', 'g4']);
  });

  it('stays bounded under a flood from many addresses: the excess folds into one overflow record per status', async () => {
    const { flushed, sink } = collect();
    const agg = new RefusalAggregator(sink, quiet, { maxKeys: 10 });
    for (let i = 0; i < 10_000; i++) agg.add(event({ ip: `10.0.${i >> 8}.${i & 255}` }));
    expect(agg.size).toBe(11);
    await agg.flush();
    const records = flushed[0]!;
    expect(records.reduce((n, r) => n + r.count, 0)).toBe(10_000);
    const overflow = records.find((r) => r.overflow)!;
    expect(overflow).toMatchObject({
      count: 9_990,
      ip: '*',
      route: '*',
      participant: null,
      code: 'TOKEN.EXPIRED+',
    });
  });

  it('flushes what it holds when stopped, and logs rather than throws when the sink fails', async () => {
    const { flushed, sink } = collect();
    const agg = new RefusalAggregator(sink, quiet);
    agg.start(60_000);
    agg.add(event());
    await agg.stop();
    expect(flushed).toHaveLength(1);
    const failing = new RefusalAggregator(() => Promise.reject(new Error('kafka down')), quiet);
    failing.add(event());
    await expect(failing.flush()).resolves.toBeUndefined();
    expect(failing.size).toBe(0);
  });
});
