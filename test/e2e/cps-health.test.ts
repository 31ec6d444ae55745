/**
 * Regional health streams into the CPS twin, end to end: the twin must be certified like any recipient
 * of health data; bed figures travel encrypted on Kafka and reach it only through its grants; its
 * occupancy forecast for the Kansai medical region names overflow risk and proposes transfers.
 */
import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { compareEvents, TwinBuilder } from '@renkei/simulation';
import { medicalRegionEvents } from '../fixtures/cps/medical-region.js';
import { eventually } from '../support/eventually.js';
import { expectProblem } from '../support/problems.js';
import { readTopicUntil } from '../support/topic-reader.js';
import {
  corporateNumber,
  participantKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';

const PURPOSE = 'capacity-planning';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The exchange takes UUID event ids: fixture ids that are not become a stable UUID of themselves. */
const uuidOf = (id: string) => {
  if (UUID.test(id)) return id.toLowerCase();
  const h = createHash('sha256').update(id).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
/** The fixture as published: the same events under stable ids, so the twin's digest can be predicted. */
const events = medicalRegionEvents.map((e) => ({ ...e, id: uuidOf(e.id) }));

let env: TestPlatform;

describe('CPS twin: regional health streams under the health rules', () => {
  let network: RenkeiClient;
  let cps: RenkeiClient;
  let cpsId: string;
  const datasets = [...new Set(medicalRegionEvents.map((e) => e.dataset))].sort();

  beforeAll(async () => {
    env = await startTestPlatform('e2e-cps-health', 4261);
    const networkKey: JWK = await participantKey('network-1');
    const onboarded = await env.admin.onboard({
      legalName: 'Kansai Regional Health Network',
      corporateNumber: corporateNumber('701100307100'),
      industry: 'hospital',
      country: 'JP',
      roles: ['member'],
      jwks: { keys: [publicJwk(networkKey)] },
    });
    network = new RenkeiClient(env.platform.endpoints, { clientId: onboarded.id, privateJwk: networkKey });
    const twin = await env.admin.onboard({
      legalName: 'Renkei Consortium CPS Twin',
      corporateNumber: corporateNumber('701100307200'),
      industry: 'consortium',
      country: 'JP',
      roles: ['member'],
      jwks: { keys: [publicJwk(env.secrets.cpsKey)] },
    });
    cpsId = twin.id;
    cps = new RenkeiClient(env.platform.endpoints, { clientId: cpsId, privateJwk: env.secrets.cpsKey });
    await env.platform.restart('cps-sim', 'SIGTERM', { CPS_CLIENT_ID: cpsId, CPS_GRANT_POLL_MS: '300' });
    for (const dataset of datasets) {
      await network.registerContract({
        dataset,
        version: '1.0.0',
        title: `Kansai medical region: ${dataset}`,
        domain: 'health',
        purposes: [PURPOSE],
        sensitivity: 'restricted',
        residency: 'JP',
        retentionDays: 90,
        schema: { type: 'object' },
      });
    }
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('is refused health data until the consortium attests it as a certified handler', async () => {
    await expectProblem(cps.simRequestInput(datasets[0]!, PURPOSE), 403, 'HEALTH.RECIPIENT_NOT_CERTIFIED');
    await env.admin.attestParticipant(cpsId, {
      certifications: ['health-data-handler'],
      protection: 'field-encryption',
    });
    for (const dataset of datasets) {
      const requested = await eventually(
        () => cps.simRequestInput(dataset, PURPOSE).catch(() => null),
        (r) => r !== null,
      );
      await network.approveGrant(requested!.grant!.id, 'Regional capacity planning');
    }
  });

  it('builds the twin from streams whose figures are encrypted on Kafka', async () => {
    for (const dataset of datasets) {
      await network.publish(
        dataset,
        await network.datasetToken(dataset, 'publish'),
        events
          .filter((e) => e.dataset === dataset)
          .map((e) => ({
            id: e.id,
            type: e.type,
            occurredAt: e.occurredAt,
            ...(e.subject ? { subject: e.subject } : {}),
            payload: e.payload,
          })),
      );
    }
    const onTopic = await readTopicUntil<{ payload: Record<string, unknown> }>(
      `${env.topicPrefix}.data.health.beds`,
      (v) => v.length >= 6,
    );
    // Every figure is ciphertext on the broker: only the field names are readable.
    for (const { payload } of onTopic) {
      for (const value of Object.values(payload)) expect(value).toMatchObject({ $enc: 'A256GCM' });
    }
    const twin = await eventually(
      () => cps.simTwin(),
      (t) => t.inputs.reduce((n, i) => n + i.events, 0) === events.length,
    );
    // Decrypted through key releases for its live grants, the twin holds the whole region: exactly the twin
    // a TwinBuilder makes of the fixture, every event applied.
    const expected = new TwinBuilder();
    for (const e of [...events].sort(compareEvents)) expected.apply(e);
    expect(twin.counts.hospitals).toBe(expected.snapshot().hospitals.length);
    expect(twin.counts.hospitals).toBe(6);
    const sources = twin.sources as { dataset: string; ignored?: number }[];
    expect(sources.map((s) => [s.dataset, s.ignored])).toEqual(datasets.map((d) => [d, 0]));
    expect(twin.digest).toBe(expected.digest());
  });

  it('forecasts occupancy under a winter surge: overflow risk and proposed transfers', async () => {
    const scenario = await cps.defineScenario({
      name: 'Winter surge +15 %',
      kind: 'hospital-occupancy',
      params: { horizonDays: 60, runs: 200, seed: 7, surge: 1.15 },
    });
    const { runId } = await cps.runScenario(scenario.id, { seed: 7 });
    const run = await eventually(
      () => cps.run(runId),
      (r) => r.status === 'succeeded' || r.status === 'failed',
      60_000,
    );
    expect(run).toMatchObject({ status: 'succeeded', progress: 1 });
    const { result } = await cps.runResult(runId);
    const hospitals = result.hospitals as { id: string; overflowProbability: number }[];
    expect(hospitals).toHaveLength(6);
    expect(Math.max(...hospitals.map((h) => h.overflowProbability))).toBeGreaterThan(0.5);
    expect((result.transfers as unknown[]).length).toBeGreaterThan(0);
    expect((await cps.chartSvg(runId)).startsWith('<svg')).toBe(true);
  });
});
