/**
 * Regional health streams into the CPS twin, end to end: the twin must be certified like any recipient
 * of health data; bed figures travel encrypted on Kafka and reach it only through its grants; its
 * occupancy forecast for the Kansai medical region names overflow risk and proposes transfers.
 */
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corporateNumberCheckDigit } from '#libs/domain';
import { RenkeiClient } from '#libs/sdk';
import { compareEvents, TwinBuilder } from '#libs/simulation';
import { medicalRegionEvents } from '../fixtures/cps/medical-region.js';
import { eventually } from '../support/eventually.js';
import { expectProblem } from '../support/problems.js';
import { readTopicUntil } from '../support/topic-reader.js';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';

const corporateNumber = (base12: string) => `${corporateNumberCheckDigit(base12)}${base12}`;
const PURPOSE = 'capacity-planning';

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
        medicalRegionEvents
          .filter((e) => e.dataset === dataset)
          .map((e) => ({
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
      (t) => t.inputs.reduce((n, i) => n + i.events, 0) === medicalRegionEvents.length,
    );
    // Decrypted through key releases for its live grants, the twin holds the whole region.
    const expected = new TwinBuilder();
    for (const e of [...medicalRegionEvents].sort(compareEvents)) expected.apply(e);
    expect(twin.counts.hospitals).toBe(expected.snapshot().hospitals.length);
    expect(twin.counts.hospitals).toBe(6);
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
