/**
 * The CPS simulation service end to end: the consortium's digital twin as an ordinary participant. Six
 * companies of the EUV lens chain share their part of the chain with it under grants; it builds the twin
 * from the exchange streams, runs a fluorite disruption, publishes the result as a derived dataset that
 * the policy governs by all of its inputs' terms, and forgets an input whose grant is revoked.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JWK } from 'jose';
import { RenkeiClient, type DeliveryStream, type SimRunEvent, type SimRunView } from '@renkei/sdk';
import { compareEvents, simulateDisruption, TwinBuilder, type TwinEvent } from '@renkei/simulation';
import { euvLensChainEvents } from '../fixtures/cps/euv-lens-chain.js';
import { eventually } from '../support/eventually.js';
import { expectDocumented } from '../support/openapi-conformance.js';
import { expectProblem } from '../support/problems.js';
import {
  corporateNumber,
  participantKey,
  publicJwk,
  repoRoot,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The exchange takes UUID event ids: fixture ids that are not become a stable UUID of themselves. */
const uuidOf = (id: string) => {
  if (UUID.test(id)) return id.toLowerCase();
  const h = createHash('sha256').update(id).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** The twin a TwinBuilder makes of the events, in the canonical order: what the service must build. */
const builderOf = (events: TwinEvent[]) => {
  const builder = new TwinBuilder();
  for (const e of [...events].sort(compareEvents)) builder.apply(e);
  return builder;
};
const digestOf = (events: TwinEvent[]) => builderOf(events).digest();

/** Effects that travel over Kafka and the services' polling: generous on a shared machine. */
const SLOW = 45_000;

const companies = [
  { key: 'mineCn', legalName: 'Jiangxi Fluorite Mining Co.', industry: 'mining', country: 'CN' },
  { key: 'mineMx', legalName: 'Fluorita del Norte S.A.', industry: 'mining', country: 'MX' },
  { key: 'blank', legalName: 'Nagano Optical Blanks K.K.', industry: 'optical-materials', country: 'JP' },
  { key: 'lens', legalName: 'Tochigi Precision Lens K.K.', industry: 'optics', country: 'JP' },
  {
    key: 'tool',
    legalName: 'Kanagawa Exposure Systems K.K.',
    industry: 'semiconductor-equipment',
    country: 'JP',
  },
  { key: 'fab', legalName: 'Kumamoto Advanced Fab K.K.', industry: 'semiconductors', country: 'JP' },
] as const;
const others = [
  { key: 'cps', legalName: 'Renkei Consortium CPS Twin', industry: 'consortium', country: 'JP' },
  { key: 'outsider', legalName: 'Osaka Market Research K.K.', industry: 'consulting', country: 'JP' },
  { key: 'holder', legalName: 'Tokyo Supply Risk Office K.K.', industry: 'consulting', country: 'JP' },
] as const;
type Who = (typeof companies)[number]['key'] | (typeof others)[number]['key'];

const PURPOSE = 'supply-risk';

let env: TestPlatform;
const ids = {} as Record<Who, string>;
const clients = {} as Record<Who, RenkeiClient>;
const owners = new Map<string, Who>();
const cpsGrants = new Map<string, string>();
let events: TwinEvent[] = [];
let datasets: string[] = [];

async function waitForRun(runId: string): Promise<SimRunView> {
  const seen: number[] = [];
  const run = await eventually(
    async () => {
      const r = await clients.cps.run(runId);
      seen.push(r.progress);
      return r;
    },
    (r) => r.status === 'succeeded' || r.status === 'failed',
    SLOW,
  );
  // Progress only moves forward.
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  return run;
}

describe('CPS simulation service: the twin as an ordinary participant', () => {
  beforeAll(async () => {
    env = await startTestPlatform('e2e-cps', 4241);
    events = euvLensChainEvents.map((e) => ({ ...e, id: uuidOf(e.id) }));
    datasets = [...new Set(events.map((e) => e.dataset))].sort();
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('onboards the chain, the CPS service and two more participants, and gives the service its identity', async () => {
    const keys = {} as Record<Who, JWK>;
    const all = [...companies, ...others];
    for (const [i, p] of all.entries()) {
      keys[p.key] = p.key === 'cps' ? env.secrets.cpsKey : await participantKey(`${p.key}-key-1`);
      const onboarded = await env.admin.onboard({
        legalName: p.legalName,
        corporateNumber: corporateNumber(`70110010${String(4100 + i)}`),
        industry: p.industry,
        country: p.country,
        roles: ['member'],
        jwks: { keys: [publicJwk(keys[p.key])] },
      });
      ids[p.key] = onboarded.id;
      clients[p.key] = new RenkeiClient(env.platform.endpoints, {
        clientId: onboarded.id,
        privateJwk: keys[p.key],
      });
    }
    // Until it has an identity, the service says what to do.
    await expectProblem(clients.cps.simInputs(), 503, 'CPS.NOT_CONFIGURED');
    await env.platform.restart('cps-sim', 'SIGTERM', { CPS_CLIENT_ID: ids.cps, CPS_GRANT_POLL_MS: '300' });
    expect(await clients.cps.simInputs()).toEqual([]);
    // Only its operators use its API; everyone else gets results through the exchange.
    await expectProblem(clients.outsider.simTwin(), 403, 'CPS.NOT_OPERATOR');
  });

  it('lets each company register its contract and grant the service access through clearing', async () => {
    for (const [i, dataset] of datasets.entries()) {
      const owner = companies[i % companies.length]!.key;
      owners.set(dataset, owner);
      await clients[owner].registerContract({
        dataset,
        version: '1.0.0',
        title: `EUV lens chain: ${dataset}`,
        domain: 'supply-chain',
        purposes: [PURPOSE, 'due-diligence'],
        sensitivity: 'confidential',
        residency: null,
        retentionDays: 365,
        fields: {},
        schema: { type: 'object' },
      });
    }
    for (const dataset of datasets) {
      // The service asks like any member does (POST /inputs → clearing), the originator approves.
      const requested = await clients.cps.simRequestInput(dataset, PURPOSE);
      expect(requested.state).toBe('requested');
      await clients[owners.get(dataset)!].approveGrant(requested.grant!.id);
      cpsGrants.set(dataset, requested.grant!.id);
      const held = await clients.holder.requestGrant({ dataset, purpose: PURPOSE });
      await clients[owners.get(dataset)!].approveGrant(held.id);
    }
    const inputs = await eventually(
      () => clients.cps.simInputs(),
      (list) => list.length === datasets.length && list.every((i) => i.state === 'streaming'),
      SLOW,
    );
    expect(inputs.map((i) => [i.dataset, i.state]).sort()).toEqual(datasets.map((d) => [d, 'streaming']));
  });

  it('builds the twin from the exchange streams, exactly as a TwinBuilder over the fixture', async () => {
    for (const dataset of datasets) {
      const owner = clients[owners.get(dataset)!];
      const token = await owner.datasetToken(dataset, 'publish');
      const mine = events.filter((e) => e.dataset === dataset);
      for (let i = 0; i < mine.length; i += 500) {
        await owner.publish(
          dataset,
          token,
          mine.slice(i, i + 500).map((e) => ({
            id: e.id,
            type: e.type,
            ...(e.subject ? { subject: e.subject } : {}),
            occurredAt: e.occurredAt,
            payload: e.payload,
          })),
        );
      }
    }
    const twin = await eventually(
      () => clients.cps.simTwin(),
      (t) => t.inputs.reduce((n, i) => n + i.events, 0) === events.length,
      SLOW,
    );
    expect(twin.digest).toBe(digestOf(events));
    expect(twin.inputs.map((i) => i.dataset)).toEqual(datasets);
    expect(twin.counts.facilities).toBeGreaterThan(0);
    const inputs = await clients.cps.simInputs();
    for (const input of inputs) {
      expect(input.eventsApplied).toBe(events.filter((e) => e.dataset === input.dataset).length);
      expect(Object.keys(input.positions).length).toBeGreaterThan(0);
    }
    // Replaying the held events gives the same twin (the restart below re-reads the topics themselves).
    const rebuilt = await clients.cps.simRebuildTwin();
    expect(rebuilt).toMatchObject({ before: twin.digest, after: twin.digest, identical: true });
  });

  it('rebuilds exactly the same twin after a restart, by replaying the topics from the start', async () => {
    const before = (await clients.cps.simTwin()).digest;
    await env.platform.restart('cps-sim', 'SIGKILL');
    const after = await eventually(
      () => clients.cps.simTwin().catch(() => null),
      (t) => t !== null && t.inputs.reduce((n, i) => n + i.events, 0) === events.length,
      SLOW,
    );
    expect(after?.digest).toBe(before);
  });

  let scenarioId: string;
  let runId: string;
  /** The same run again, never published. */
  let againId: string;

  it('runs a 60-day Chinese fluorite disruption with progress, lineage and a seed', async () => {
    const scenario = await clients.cps.defineScenario({
      name: 'Fluorite: Chinese mines stop for 60 days',
      kind: 'disruption',
      params: { stop: { country: 'CN' }, days: 60, horizonDays: 120, runs: 40 },
    });
    scenarioId = scenario.id;
    await expectProblem(
      clients.cps.defineScenario({ name: 'broken', kind: 'disruption', params: { stop: {} } }),
      400,
      'SCENARIO.INVALID_PARAMS',
    );
    const started = await clients.cps.runScenario(scenarioId, { seed: 42 });
    runId = started.runId;
    const run = await waitForRun(runId);
    expect(run).toMatchObject({ status: 'succeeded', progress: 1, seed: 42, error: null });
    expect(run.finishedAt).not.toBeNull();
    expect(run.inputs.map((i) => i.dataset)).toEqual(datasets);
    expect(run.inputs.every((i) => i.version === '1.0.0' && i.events > 0 && i.lastEventId)).toBe(true);
    const answer = await clients.cps.runResult(runId);
    await expectDocumented(env.platform.endpoints.cpsSim, 'GET /runs/{id}/result', answer);
    const { result, chart } = answer;
    expect(Array.isArray(result.stopped) && (result.stopped as unknown[]).length).toBeGreaterThan(0);
    expect(result.lostOutput).toBeDefined();
    // Exactly what the engine gives on the fixture's twin with the recorded seed (through JSON, as served).
    const expected = simulateDisruption(builderOf(events).snapshot(), {
      ...scenario.params,
      seed: 42,
    } as Parameters<typeof simulateDisruption>[1]);
    expect(result).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(chart.rows.length).toBeGreaterThan(0);
    expect(chart.rows[0]).toEqual(
      expect.objectContaining({ day: expect.any(Number), product: expect.any(String) }),
    );
  });

  it('pushes a run’s progress as Server-Sent Events, in order, ending with done', async () => {
    const scenario = await clients.cps.defineScenario({
      name: 'Fluorite: Chinese mines stop for 60 days (many runs)',
      kind: 'disruption',
      params: { stop: { country: 'CN' }, days: 60, horizonDays: 120, runs: 1000 },
    });
    const { runId: live } = await clients.cps.runScenario(scenario.id, { seed: 7 });
    const heard: SimRunEvent[] = [];
    for await (const event of clients.cps.runEvents(live)) heard.push(event);
    // Numbered 1, 2, … without gaps from where the run stood when we connected, in order.
    const first = heard[0]!.id;
    expect(heard.map((e) => e.id)).toEqual(heard.map((_, i) => first + i));
    expect(heard.slice(0, -1).every((e) => e.event === 'progress')).toBe(true);
    const progress = heard.map((e) => e.data.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // The run pushed its progress while it ran: changes between start and end, with the units done.
    const running = heard.filter((e) => e.data.status === 'running' && e.data.progress > 0);
    expect(running.length).toBeGreaterThan(0);
    expect(running.at(-1)!.data.step).toEqual({ done: expect.any(Number), total: 1000 });
    // done comes last, with the final status; the stream ended after it (the iteration finished).
    expect(heard.at(-1)).toMatchObject({
      event: 'done',
      data: { status: 'succeeded', progress: 1, error: null },
    });
    expect((await clients.cps.run(live)).status).toBe('succeeded');

    // On the wire, for a finished run: where it stands and `done` at once, then the response ends.
    const response = await fetch(`${env.platform.endpoints.cpsSim}/runs/${live}/events`, {
      headers: { authorization: `Bearer ${await clients.cps.platformToken()}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    expect(text).toMatch(
      /^id: \d+\nevent: progress\ndata: \{"status":"succeeded","progress":1,"step":\{"done":1000,"total":1000\}\}\n\nid: \d+\nevent: done\ndata: \{.*"status":"succeeded".*\}\n\n$/,
    );
    // The CLI follows the same events (nothing polled) and prints the result once done.
    const credentials = join(mkdtempSync(join(tmpdir(), 'renkei-cps-cli-')), 'cps.json');
    writeFileSync(
      credentials,
      JSON.stringify({ ...env.platform.endpoints, clientId: ids.cps, privateJwk: env.secrets.cpsKey }),
    );
    const cli = await promisify(execFile)(
      process.execPath,
      [`${repoRoot}/libs/sdk/dist/cli.js`, 'sim', 'run', scenario.id, '--seed', '7'],
      { env: { ...process.env, RENKEI_CREDENTIALS: credentials } },
    );
    expect(cli.stderr.trim().split('\n').at(-1)).toBe('succeeded 100%');
    expect(JSON.parse(cli.stdout)).toMatchObject({ run: { status: 'succeeded', seed: 7 } });
    // The run's operators only; a run that does not exist is 404 before any stream starts.
    await expectProblem(
      (async () => {
        for await (const _ of clients.cps.runEvents('00000000-0000-4000-8000-000000000000')) break;
      })(),
      404,
      'RUN.NOT_FOUND',
    );
    await expectProblem(
      (async () => {
        for await (const _ of clients.outsider.runEvents(live)) break;
      })(),
      403,
      'CPS.NOT_OPERATOR',
    );
  });

  it('repeats a run exactly with the same seed, and renders its chart as SVG', async () => {
    const again = await waitForRun((await clients.cps.runScenario(scenarioId, { seed: 42 })).runId);
    againId = again.id;
    expect((await clients.cps.runResult(again.id)).result).toEqual(
      (await clients.cps.runResult(runId)).result,
    );
    const svg = await clients.cps.chartSvg(runId);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('</svg>');
    await expectProblem(clients.cps.runResult('00000000-0000-4000-8000-000000000000'), 404, 'RUN.NOT_FOUND');
  });

  const derived = 'cps.disruption-forecast';

  it('publishes the result as a derived dataset carrying lineage to its inputs', async () => {
    const published = await clients.cps.publishRun(runId);
    expect(published.dataset).toBe(derived);
    expect(published.lineage.map((l) => l.dataset).sort()).toEqual(datasets);
    expect(published.derived).toEqual({
      aggregate: false,
      contributors: Math.min(datasets.length, companies.length),
    });
    const contract = await clients.holder.contract(derived);
    expect(contract).toMatchObject({
      owner: ids.cps,
      purposes: [PURPOSE, 'due-diligence'],
      sensitivity: 'confidential',
    });
    expect((await clients.cps.run(runId)).published).toMatchObject({ dataset: derived, version: '1.0.0' });
    // Publishing again publishes nothing new: the same event (its id is the run's), the same version.
    expect(await clients.cps.publishRun(runId)).toEqual(published);
    expect(published.eventIds).toEqual([runId]);
  });

  it('refuses the derived dataset to a participant that could not see its inputs', async () => {
    await expectProblem(
      clients.outsider.requestGrant({ dataset: derived, purpose: PURPOSE }),
      403,
      'LINEAGE.INPUT_NOT_VISIBLE',
    );
  });

  it('delivers it to a participant holding every input, with the lineage in the payload', async () => {
    const grant = await clients.holder.requestGrant({ dataset: derived, purpose: PURPOSE });
    // The result was published before this grant: the service (its originator) lets the grant cover it.
    await clients.cps.approveGrant(grant.id, null, { historyFrom: 'all' });
    const token = await clients.holder.datasetToken(derived, 'subscribe', grant.id);
    let stream: DeliveryStream | undefined;
    try {
      stream = await clients.holder.stream(derived, token);
      const line = await eventually(
        () => stream!.read(5_000),
        (l) => l?.type === 'event',
        SLOW,
      );
      if (line?.type !== 'event') throw new Error(`no derived event: ${JSON.stringify(line)}`);
      expect(line.event.originator).toBe(ids.cps);
      expect(line.event.payload).toMatchObject({ runId, kind: 'disruption', seed: 42 });
      expect((line.event.payload.lineage as { dataset: string }[]).map((l) => l.dataset)).toEqual(datasets);
    } finally {
      stream?.close();
    }
  });

  it('rebuilds the twin without an input whose grant is revoked, and new runs list lineage without it', async () => {
    const before = await clients.cps.simTwin();
    const revoked = datasets[0]!;
    await clients[owners.get(revoked)!].revokeGrant(cpsGrants.get(revoked)!, 'supplier leaves the twin');
    const twin = await eventually(
      () => clients.cps.simTwin(),
      (t) => !t.inputs.some((i) => i.dataset === revoked),
      SLOW,
    );
    expect(twin.digest).not.toBe(before.digest);
    expect(twin.digest).toBe(digestOf(events.filter((e) => e.dataset !== revoked)));
    const input = (await clients.cps.simInputs()).find((i) => i.dataset === revoked)!;
    expect(input).toMatchObject({ state: 'revoked', eventsApplied: 0 });
    const run = await waitForRun((await clients.cps.runScenario(scenarioId, { seed: 42 })).runId);
    expect(run.inputs.map((i) => i.dataset)).toEqual(datasets.filter((d) => d !== revoked));
    // A result built on the dropped input is no longer passed on.
    const refused = await expectProblem(clients.cps.publishRun(againId), 409, 'DERIVED.INPUT_NOT_HELD');
    expect(refused.problem.errors).toEqual([expect.objectContaining({ path: `/inputs/${revoked}` })]);
    // The service confirmed to the originator that it deleted what the grant gave it.
    const obligations = await eventually(
      async () =>
        (
          await clients[owners.get(revoked)!].deletionObligations({ role: 'originator', dataset: revoked })
        ).filter((o) => o.consumer === ids.cps),
      (mine) => mine.length > 0 && mine.every((o) => o.status === 'confirmed'),
      SLOW,
    );
    expect(obligations.length).toBeGreaterThan(0);
    expect(obligations.map((o) => o.status)).toEqual(obligations.map(() => 'confirmed'));
  });
});
