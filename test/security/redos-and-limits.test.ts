/**
 * One member must not be able to stall or wedge a service for everyone with a contract: not with a regular
 * expression that backtracks (ReDoS), not with a huge or deeply nested schema, not with a schema whose
 * compatibility check or compilation is combinatorially expensive. End to end over HTTP, the four services
 * running as processes on real Kafka and PostgreSQL. Every case first proves the legitimate path works.
 *
 * Each defence is load-bearing here: with the native RegExp engine the exchange's publish of a defeating
 * string never answers (and nobody else's delivery happens); without the limits the oversized schemas are
 * accepted; without the worker pool the expensive dry run answers after seconds and `/health` stalls with it.
 */
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RenkeiClient, type DeliveryStream, type StreamLine } from '@renkei/sdk';
import { DEFAULT_SCHEMA_LIMITS } from '@renkei/domain';
import {
  participantKey as newKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { expectProblem } from '../support/problems.js';
import { automaker, batteryCfpContract, cellMaker, competitorCellMaker } from '../fixtures/battery-cfp.js';

let env: TestPlatform;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A contract of the attacking member, with the given payload schema. */
const attackContract = (dataset: string, schema: Record<string, unknown>, version = '1.0.0') => ({
  dataset,
  version,
  title: `Attack ${dataset}`,
  domain: 'supply-chain',
  purposes: ['due-diligence'],
  sensitivity: 'internal',
  residency: null,
  retentionDays: 30,
  fields: {},
  schema,
});

const codeSchema = (pattern: string) => ({
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'string', pattern } },
});

/**
 * Within every limit (≈ 43 KB, 1,561 subschemas), but combinatorial: nested `anyOf` of objects, 5 wide and
 * 4 deep. Compiling it takes Ajv 0.3–2.6 s and comparing it, with one more branch, against an earlier
 * version of the same shape takes the checker 0.9–3.6 s (the reference VM, idle to loaded).
 */
function alternatives(width: number, depth: number): Record<string, unknown> {
  if (depth === 0) return { type: 'string' };
  return {
    anyOf: Array.from({ length: width }, (_, i) => ({
      type: 'object',
      properties: { [`k${i}`]: alternatives(width, depth - 1) },
    })),
  };
}

/** Payload schema with `n` string properties. */
const wide = (n: number, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties: Object.fromEntries(Array.from({ length: n }, (_, i) => [`field${i}`, { type: 'string' }])),
  ...extra,
});

/** `levels` nested objects. */
const deep = (levels: number): Record<string, unknown> =>
  levels === 0 ? { type: 'string' } : { type: 'object', properties: { x: deep(levels - 1) } };

/** Polls `/health` until `until` settles; returns every answer's latency (ms). */
async function healthWhile(url: string, until: Promise<unknown>) {
  let settled = false;
  void until.finally(() => (settled = true)).catch(() => undefined);
  const latencies: number[] = [];
  while (!settled) {
    const started = performance.now();
    const res = await fetch(`${url}/health`);
    await res.text();
    expect(res.status).toBe(200);
    latencies.push(performance.now() - started);
    await sleep(50);
  }
  return latencies;
}

/** The problem's `errors` (path and message per failure). */
const errorsOf = (e: { problem: { errors?: unknown } }) =>
  (e.problem.errors ?? []) as { path: string; message: string }[];

async function nextEvent(stream: DeliveryStream, lotId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line: StreamLine | null = await stream.read(deadline - Date.now());
    if (!line || line.type === 'end') return null;
    if (line.type === 'event' && line.event.payload.lotId === lotId) return line.event;
  }
  return null;
}

/** Settles with how long the call took and its outcome. */
async function timed<T>(call: Promise<T>) {
  const started = performance.now();
  const outcome = await call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { ms: performance.now() - started, ...outcome };
}

describe('security: one member cannot stall a service with a regex or a schema', () => {
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let rival: RenkeiClient;
  let stream: DeliveryStream;
  let cellPublish: string;
  let lot = 0;

  /** The cell maker's publish → the automaker's delivery: the service everyone else relies on. */
  async function deliveredToOthers(timeoutMs = 10_000) {
    const lotId = `lot-redos-${lot++}`;
    const published = cell.publish('battery.cfp', cellPublish, [
      { subject: lotId, payload: { lotId, cellModel: 'KCW-NMC811-50Ah', cfpKgCo2ePerKwh: 61 } },
    ]);
    const [result, event] = await Promise.all([published, nextEvent(stream, lotId, timeoutMs)]);
    expect(result.accepted).toBe(1);
    return event;
  }

  beforeAll(async () => {
    env = await startTestPlatform('security-redos', 4321);
    const keys: Record<string, JWK> = {};
    for (const name of ['cell', 'auto', 'rival']) keys[name] = await newKey(`${name}-key-1`);
    const [c, a, r] = await Promise.all([
      env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell!)] } }),
      env.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto!)] } }),
      env.admin.onboard({ ...competitorCellMaker, jwks: { keys: [publicJwk(keys.rival!)] } }),
    ]);
    const endpoints = env.platform.endpoints;
    cell = new RenkeiClient(endpoints, { clientId: c.id, privateJwk: keys.cell! });
    auto = new RenkeiClient(endpoints, { clientId: a.id, privateJwk: keys.auto! });
    rival = new RenkeiClient(endpoints, { clientId: r.id, privateJwk: keys.rival! });
    await cell.registerContract(batteryCfpContract);
    const grant = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    await cell.approveGrant(grant.id);
    cellPublish = await cell.datasetToken('battery.cfp', 'publish');
    stream = await auto.stream('battery.cfp', await auto.datasetToken('battery.cfp', 'subscribe', grant.id));
    expect(await deliveredToOthers(20_000)).not.toBeNull();
  });

  afterAll(async () => {
    stream?.close();
    await env?.stop();
  });

  it('registers a contract with ordinary patterns, and its patterns judge publications', async () => {
    await rival.registerContract(attackContract('attack.codes', codeSchema('^[A-Z]{2}-\\d{4}$')));
    const token = await rival.datasetToken('attack.codes', 'publish');
    expect((await rival.publish('attack.codes', token, [{ payload: { code: 'JP-1234' } }])).accepted).toBe(1);
    const refused = await expectProblem(
      rival.publish('attack.codes', token, [{ payload: { code: 'jp-12' } }]),
      400,
      'CONTRACT.SCHEMA_VIOLATION',
    );
    expect(refused.problem.errors).toEqual([
      { path: '/events/0/payload/code', message: 'must match pattern "^[A-Z]{2}-\\d{4}$"' },
    ]);
  });

  it('refuses patterns that cannot run in linear time, naming the schema path and why', async () => {
    const backreference = await expectProblem(
      rival.registerContract(attackContract('attack.backref', codeSchema('^(a+)\\1$'))),
      400,
      'CONTRACT.PATTERN_NOT_SUPPORTED',
    );
    expect(backreference.problem.errors).toEqual([
      {
        path: '/schema/properties/code/pattern',
        message: 'backreferences cannot be matched in linear time and are not supported',
      },
    ]);
    const lookahead = await expectProblem(
      rival.registerContract(
        attackContract('attack.lookahead', {
          type: 'object',
          patternProperties: { '^(?=x)x+$': { type: 'string' } },
        }),
      ),
      400,
      'CONTRACT.PATTERN_NOT_SUPPORTED',
    );
    expect(errorsOf(lookahead)[0]).toMatchObject({
      path: '/schema/patternProperties/^(?=x)x+$',
      message: expect.stringContaining('lookahead'),
    });
    // The dry run refuses the same way, and nothing was registered.
    await expectProblem(
      rival.checkCompatibility('attack.codes', codeSchema('(?<=a)b')),
      400,
      'CONTRACT.PATTERN_NOT_SUPPORTED',
    );
    await expectProblem(rival.contract('attack.backref'), 404, 'CONTRACT.NOT_FOUND');
  });

  it('refuses the same patterns in an ODCS import, pointing into the document', async () => {
    const doc = parseYaml(await rival.exportOdcs('attack.codes', '1.0.0')) as {
      version: string;
      schema: {
        properties: { logicalTypeOptions?: Record<string, unknown> }[];
        customProperties?: unknown;
      }[];
    };
    doc.version = '1.1.0';
    delete doc.schema[0]!.customProperties; // the ODCS properties are then the schema
    doc.schema[0]!.properties[0]!.logicalTypeOptions = { pattern: '^(a)\\1$' };
    const refused = await expectProblem(rival.importOdcs(JSON.stringify(doc)), 400, 'ODCS.INVALID_DOCUMENT');
    expect(refused.problem.errors).toEqual([
      expect.objectContaining({
        path: '/schema/0/properties/0/logicalTypeOptions/pattern',
        message: expect.stringContaining('backreferences'),
      }),
    ]);
  });

  it('runs a backtracking pattern in linear time: a defeating string is refused at once while others deliver', async () => {
    // `^(a+)+$` is harmless on RE2, so it is accepted; on a backtracking engine 40 `a`s and a `!` would
    // take 2^40 steps on the exchange's only thread.
    await rival.registerContract(attackContract('attack.redos', codeSchema('^(a+)+$')));
    const token = await rival.datasetToken('attack.redos', 'publish');
    expect(
      (await rival.publish('attack.redos', token, [{ payload: { code: 'a'.repeat(40) } }])).accepted,
    ).toBe(1);
    const evil = timed(
      rival.publish('attack.redos', token, [
        { payload: { code: 'a'.repeat(40) + '!' } },
        { payload: { code: 'a'.repeat(5_000) + '!' } },
      ]),
    );
    const delivered = await deliveredToOthers();
    const answer = await evil;
    expect(delivered, "another member's publication is delivered meanwhile").not.toBeNull();
    expect(answer.ok).toBe(false);
    expect(answer.ms).toBeLessThan(2_000);
    await expectProblem(
      rival.publish('attack.redos', token, [{ payload: { code: 'a'.repeat(40) + '!' } }]),
      400,
      'CONTRACT.SCHEMA_VIOLATION',
    );
  });

  it('refuses oversized, deep and sprawling schemas at registration, dry run and ODCS import, naming the limit', async () => {
    const { maxBytes, maxDepth, maxProperties, maxPatterns } = DEFAULT_SCHEMA_LIMITS;
    // A 5 MB schema never reaches a parser: the registry's body limit (1 MiB) refuses it at the edge.
    const fiveMb = wide(10, { description: 'x'.repeat(4_900_000) });
    await expectProblem(
      rival.registerContract(attackContract('attack.large', fiveMb)),
      413,
      'REQUEST.TOO_LARGE',
    );
    await expectProblem(rival.checkCompatibility('attack.codes', fiveMb), 413, 'REQUEST.TOO_LARGE');
    // One within the body limit but over the schema limit is refused naming the limit and the path.
    const oversized = wide(10, { description: 'x'.repeat(maxBytes + 1_000) });
    const large = await expectProblem(
      rival.registerContract(attackContract('attack.large', oversized)),
      422,
      'CONTRACT.SCHEMA_TOO_LARGE',
    );
    expect(large.problem.errors).toEqual([
      { path: '/schema', message: expect.stringContaining(`at most ${maxBytes}`) },
    ]);
    await expectProblem(
      rival.checkCompatibility('attack.codes', oversized),
      422,
      'CONTRACT.SCHEMA_TOO_LARGE',
    );

    const tooDeep = await expectProblem(
      rival.registerContract(attackContract('attack.deep', deep(maxDepth))),
      422,
      'CONTRACT.SCHEMA_TOO_DEEP',
    );
    expect(errorsOf(tooDeep)[0]!.path).toMatch(/^\/schema(\/properties\/x)+$/);
    expect(tooDeep.problem.detail).toContain(`deeper than ${maxDepth} levels`);

    const sprawl = await expectProblem(
      rival.checkCompatibility('attack.codes', wide(maxProperties + 1)),
      422,
      'CONTRACT.SCHEMA_TOO_COMPLEX',
    );
    expect(errorsOf(sprawl)[0]!.path).toBe(`/schema/properties/field${maxProperties}`);

    const patterns = wide(maxPatterns + 1);
    for (const p of Object.values(patterns.properties)) (p as Record<string, unknown>).pattern = '^[a-z]+$';
    await expectProblem(
      rival.registerContract(attackContract('attack.patterns', patterns)),
      422,
      'CONTRACT.PATTERN_TOO_COMPLEX',
    );

    // ODCS: the exact JSON Schema a document carries is held to the same limits.
    const doc = parseYaml(await rival.exportOdcs('attack.codes', '1.0.0')) as {
      version: string;
      schema: { customProperties: { property: string; value: unknown }[] }[];
    };
    doc.version = '1.2.0';
    const stored = doc.schema[0]!.customProperties.find((p) => p.property === 'renkei.jsonSchema')!;
    stored.value = { ...codeSchema('^[A-Z]{2}-\\d{4}$'), ...deep(maxDepth) };
    const odcs = await expectProblem(rival.importOdcs(JSON.stringify(doc)), 422, 'CONTRACT.SCHEMA_TOO_DEEP');
    expect(errorsOf(odcs)[0]!.path).toMatch(/^\/schema\/0\/customProperties\/\d+\/value\//);

    // And within the limits, the legitimate version still goes through.
    expect((await rival.checkCompatibility('attack.codes', codeSchema('^[A-Z]{2}-\\d{4}$'))).compatible).toBe(
      true,
    );
  });

  it('stops an expensive dry run at its budget while /health and other members are served', async () => {
    // The work: a combinatorial schema checked against three earlier versions of the same shape
    // (FULL_TRANSITIVE). The earlier versions are registered under NONE, with a generous budget.
    const registry = env.platform.endpoints.registry;
    await env.platform.restart('registry', 'SIGTERM', { SCHEMA_CHECK_BUDGET_MS: '60000' });
    for (const [i, version] of ['1.0.0', '1.1.0', '1.2.0'].entries()) {
      await rival.registerContract({
        ...attackContract('attack.alt', { type: 'object', ...alternatives(5, 4) }, version),
        ...(i === 0 ? { compatibility: 'NONE' } : {}),
      });
    }
    await rival.setCompatibility('attack.alt', 'FULL_TRANSITIVE');
    const expensive: Record<string, unknown> = { type: 'object', ...alternatives(5, 4) };
    (expensive.anyOf as unknown[]).push({ type: 'object', properties: { extra: { type: 'number' } } });

    // Legitimate and allowed its time, the check runs in the worker pool: it answers, and /health is
    // served throughout. On the event loop, every /health call would wait for the whole check.
    const full = timed(rival.checkCompatibility('attack.alt', expensive, '1.3.0'));
    const [fullHealth, fullAnswer] = await Promise.all([healthWhile(registry, full), full]);
    expect(fullAnswer.ok).toBe(true);
    const cost = fullAnswer.ms;
    // Long enough that a check on the event loop would visibly hold /health back (about 1.3 s on a quiet
    // 2-core machine, more under load); the assertion that matters is the ratio below.
    expect(cost, 'the check is expensive enough to prove anything').toBeGreaterThan(400);
    expect(Math.max(...fullHealth), `/health ${fullHealth.map(Math.round).join(', ')} ms`).toBeLessThan(
      cost / 2,
    );

    // With a budget below its cost, the same dry run is refused and its worker recycled, while /health
    // and another member's call are served.
    const budget = Math.round(cost / 5);
    await env.platform.restart('registry', 'SIGTERM', { SCHEMA_CHECK_BUDGET_MS: String(budget) });
    const normal = () => cell.checkCompatibility('battery.cfp', batteryCfpContract.schema, '1.1.0');
    expect((await normal()).compatible).toBe(true); // the pool's worker has started
    const started = performance.now();
    const dryRun = expectProblem(
      rival.checkCompatibility('attack.alt', expensive, '1.3.0'),
      422,
      'CONTRACT.CHECK_TOO_EXPENSIVE',
    );
    const [latencies, other, refused] = await Promise.all([
      healthWhile(registry, dryRun),
      sleep(100).then(() => cell.contract('battery.cfp')),
      dryRun,
    ]);
    expect(refused.problem.detail).toContain(`budget of ${budget} ms`);
    expect(performance.now() - started, 'refused, not answered late').toBeLessThan(cost);
    expect(other.version).toBe('1.0.0');
    expect(Math.max(...latencies), `/health ${latencies.map(Math.round).join(', ')} ms`).toBeLessThan(
      cost / 2,
    );

    // The terminated worker was replaced: the pool serves a normal check.
    expect((await normal()).compatible).toBe(true);
  }, 240_000);
});
