/**
 * The public APIs the web console needs (issue 13), end to end over HTTP with the services running as
 * processes against real Kafka and PostgreSQL: attested certifications with evidence and expiry; usage
 * over time for the originator's charts; compliance's overview of persons' consent records (pseudonymous
 * references only); and offboarding — the impact preview lists the grants, then the registry offboards
 * the participant, clearing revokes its grants (its stream ends, deletion is owed) and its token requests
 * are refused for good.
 */
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient, type StreamLine } from '@renkei/sdk';
import { automaker, batteryCfpContract, cellMaker, complianceOffice } from '../fixtures/battery-cfp.js';
import { admissionsContract, hospital, researchInstitute } from '../fixtures/regional-health.js';
import { eventually } from '../support/eventually.js';
import { expectDocumented } from '../support/openapi-conformance.js';
import { expectProblem } from '../support/problems.js';
import { readTopicUntil } from '../support/topic-reader.js';
import {
  participantKey as newKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';

const DAY_MS = 86_400_000;

describe('console APIs', () => {
  let env: TestPlatform;
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let compliance: RenkeiClient;
  const keys: Record<string, JWK> = {};
  const ids: Record<string, string> = {};
  let grantId: string;
  const as = (name: string) =>
    new RenkeiClient(env.platform.endpoints, { clientId: ids[name]!, privateJwk: keys[name]! });

  beforeAll(async () => {
    env = await startTestPlatform('e2e-console-apis', 4621);
    for (const name of ['cell', 'auto', 'compliance']) keys[name] = await newKey(`${name}-key-1`);
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('onboards a cell maker, an automaker and the compliance office; battery.cfp is granted to the automaker', async () => {
    const fixtures = [
      ['cell', cellMaker],
      ['auto', automaker],
      ['compliance', complianceOffice],
    ] as const;
    const onboarded = await Promise.all(
      fixtures.map(([name, fixture]) =>
        env.admin.onboard({ ...fixture, jwks: { keys: [publicJwk(keys[name]!)] } }),
      ),
    );
    fixtures.forEach(([name], i) => (ids[name] = onboarded[i]!.id));
    [cell, auto, compliance] = [as('cell'), as('auto'), as('compliance')];
    expect(await cell.registerContract(batteryCfpContract)).toMatchObject({ status: 'active' });
    grantId = (
      await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure', deletionDays: 7 })
    ).id;
    expect((await cell.approveGrant(grantId)).state).toBe('granted');
  });

  describe('attestations', () => {
    it('records a certification with its evidence and expiry, and answers both', async () => {
      const expiresAt = new Date(Date.now() + 365 * DAY_MS).toISOString();
      const attested = await env.admin.attestParticipant(ids.auto!, {
        certifications: [
          { certification: 'health-data-handler', evidence: 'https://example.org/cert/2026-0142', expiresAt },
          'iso27001',
        ],
        protection: 'field-encryption',
      });
      await expectDocumented(
        env.platform.endpoints.registry,
        'PUT /participants/{id}/attestations',
        attested,
      );
      expect(attested).toMatchObject({
        certifications: ['health-data-handler', 'iso27001'],
        protection: 'field-encryption',
        certificationDetails: [
          {
            certification: 'health-data-handler',
            evidence: 'https://example.org/cert/2026-0142',
            expiresAt,
            expired: false,
          },
          { certification: 'iso27001', evidence: null, expiresAt: null, expired: false },
        ],
      });
      // Every service's policy input reads the expiry from the registry's event (evidence stays in the registry).
      const events = await readTopicUntil<{ type: string; participant?: Record<string, unknown> }>(
        `${env.topicPrefix}.registry.events`,
        (seen) => seen.some((e) => e.participant?.certificationExpiry !== undefined),
      );
      const upserted = events.filter(
        (e) => e.type === 'participant.upserted' && e.participant?.id === ids.auto,
      );
      expect(upserted.at(-1)?.participant).toMatchObject({
        certifications: ['health-data-handler', 'iso27001'],
        certificationExpiry: { 'health-data-handler': expiresAt },
      });
      expect(JSON.stringify(upserted.at(-1))).not.toContain('example.org');
    });

    it('refuses an expiry in the past and evidence over 500 characters, pointing at each', async () => {
      const refused = await expectProblem(
        env.admin.attestParticipant(ids.auto!, {
          certifications: [
            {
              certification: 'health-data-handler',
              evidence: 'x'.repeat(501),
              expiresAt: '2020-01-01T00:00:00Z',
            },
          ],
          protection: 'field-encryption',
        }),
        400,
        'REQUEST.INVALID',
      );
      const paths = (refused.problem.errors as { path: string }[]).map((e) => e.path);
      expect(paths).toEqual(
        expect.arrayContaining(['/certifications/0/evidence', '/certifications/0/expiresAt']),
      );
    });
  });

  describe('an expired certification', () => {
    it('counts as absent: health data is refused once the attested expiry has passed', async () => {
      for (const name of ['hospital', 'lab']) keys[name] = await newKey(`${name}-key-1`);
      ids.hospital = (
        await env.admin.onboard({ ...hospital, jwks: { keys: [publicJwk(keys.hospital!)] } })
      ).id;
      ids.lab = (
        await env.admin.onboard({
          ...researchInstitute,
          certifications: [],
          jwks: { keys: [publicJwk(keys.lab!)] },
        })
      ).id;
      const [hospitalClient, lab] = [as('hospital'), as('lab')];
      expect(await hospitalClient.registerContract(admissionsContract)).toMatchObject({ status: 'active' });
      const request = { dataset: 'health.admissions', purpose: 'health-research' };
      await expectProblem(lab.requestGrant(request), 403, 'HEALTH.RECIPIENT_NOT_CERTIFIED');
      const expiresAt = new Date(Date.now() + 8_000).toISOString();
      await env.admin.attestParticipant(ids.lab, {
        certifications: [{ certification: 'health-data-handler', evidence: 'MHLW-2026-0042', expiresAt }],
        protection: 'field-encryption',
      });
      // Certified until the expiry: the request is made (clearing reads the attestation from Kafka).
      const granted = await eventually(
        () => lab.requestGrant(request).catch(() => null),
        (g) => g !== null,
        6_000,
      );
      expect(granted?.state).toBe('requested');
      await lab.revokeGrant(granted!.id, 'asked again below');
      // From the expiry on, the policy input leaves the certification out.
      await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now() + 100)));
      await expectProblem(lab.requestGrant(request), 403, 'HEALTH.RECIPIENT_NOT_CERTIFIED');
      expect((await env.admin.participant(ids.lab)).certificationDetails).toEqual([
        { certification: 'health-data-handler', evidence: 'MHLW-2026-0042', expiresAt, expired: true },
      ]);
    });
  });

  describe('usage over time', () => {
    it('counts the consumer’s tokens per bucket, with the grant’s purpose, for the originator only', async () => {
      await auto.datasetToken('battery.cfp', 'subscribe', grantId);
      await auto.datasetToken('battery.cfp', 'subscribe', grantId);
      const series = await eventually(
        () => cell.auditUsageSeries({ dataset: 'battery.cfp', bucket: 'hour' }),
        (s) => s.rows.reduce((n, r) => n + r.tokens, 0) >= 2,
      );
      await expectDocumented(env.platform.endpoints.clearing, 'GET /audit/usage/series', series);
      const hour = new Date();
      hour.setUTCMinutes(0, 0, 0);
      expect(series).toMatchObject({ bucket: 'hour', datasets: ['battery.cfp'], truncated: false });
      expect(series.rows).toContainEqual(
        expect.objectContaining({
          bucket: hour.toISOString(),
          dataset: 'battery.cfp',
          consumer: ids.auto,
          purpose: 'cfp-disclosure',
          tokens: 2,
        }),
      );
      // The consumer is not the originator: the same answer as for a dataset that does not exist.
      await expectProblem(auto.auditUsageSeries({ dataset: 'battery.cfp' }), 404, 'AUDIT.DATASET_NOT_FOUND');
      // Bounded: 400 hourly buckets are refused.
      const refused = await expectProblem(
        cell.auditUsageSeries({
          bucket: 'hour',
          from: new Date(Date.now() - 400 * 3_600_000).toISOString(),
        }),
        400,
        'REQUEST.INVALID',
      );
      expect(refused.problem.errors).toEqual([expect.objectContaining({ path: '/from' })]);
    });
  });

  describe('persons’ consent overview', () => {
    it('shows compliance counts and pages of records with the pseudonymous reference only', async () => {
      await cell.optOut('pt-0001', 'battery.cfp');
      await cell.optOut('pt-0002', 'battery.cfp');
      await cell.optOut('pt-0003', '*');
      const overview = await compliance.personConsentOverview({ originator: ids.cell, limit: 2 });
      await expectDocumented(env.platform.endpoints.clearing, 'GET /audit/person-consents', overview);
      expect(overview.total).toBe(3);
      expect(overview.counts).toHaveLength(2);
      expect(overview.counts).toEqual(
        expect.arrayContaining([
          {
            originator: ids.cell,
            originatorName: cellMaker.legalName,
            dataset: '*',
            decision: 'deny',
            count: 1,
          },
          {
            originator: ids.cell,
            originatorName: cellMaker.legalName,
            dataset: 'battery.cfp',
            decision: 'deny',
            count: 2,
          },
        ]),
      );
      // Newest first, two per page, then the rest after the cursor.
      expect(overview.items.map((i) => i.subjectRef)).toEqual(['pt-0003', 'pt-0002']);
      expect(overview.next).not.toBeNull();
      const rest = await compliance.personConsentOverview({ originator: ids.cell, after: overview.next! });
      expect(rest.items.map((i) => i.subjectRef)).toEqual(['pt-0001']);
      expect(rest.next).toBeNull();
      // Nothing about the person but the reference: no consent ids, no provisions' contents.
      expect(Object.keys(overview.items[0]!).sort()).toEqual(
        [
          'dataset',
          'decision',
          'inForce',
          'originator',
          'originatorName',
          'provisions',
          'recordedAt',
          'source',
          'subjectRef',
          'validFrom',
          'validUntil',
        ].sort(),
      );
      expect(overview.items[0]).toMatchObject({ source: 'opt-out', inForce: true, provisions: 0 });
      expect(
        (await compliance.personConsentOverview({ dataset: 'battery.cfp', state: 'permit' })).total,
      ).toBe(0);
      // A cursor this API did not give is refused, whatever it decodes to.
      const forged = Buffer.from(`2026-12-01T00:00:00.000Z|${'-'.repeat(36)}`).toString('base64url');
      await expectProblem(compliance.personConsentOverview({ after: forged }), 400, 'REQUEST.INVALID');
      // A member is not a compliance officer.
      await expectProblem(cell.personConsentOverview(), 403, 'TOKEN.INSUFFICIENT_SCOPE');
    });
  });

  describe('offboarding', () => {
    it('previews the impact: the automaker’s grant, and the deletion its revocation would oblige', async () => {
      const impact = await env.admin.offboardingImpact(ids.auto!);
      await expectDocumented(
        env.platform.endpoints.clearing,
        'GET /participants/{id}/offboarding-impact',
        impact,
      );
      expect(impact).toMatchObject({
        participant: { id: ids.auto, legalName: automaker.legalName, status: 'active' },
        asOriginator: [],
        asConsumer: [
          {
            id: grantId,
            dataset: 'battery.cfp',
            counterpart: ids.cell,
            state: 'granted',
            purpose: 'cfp-disclosure',
          },
        ],
        deletionObligations: [
          { grantId, dataset: 'battery.cfp', consumer: ids.auto, originator: ids.cell, deletionDays: 7 },
        ],
        counts: {
          asOriginator: 0,
          asConsumer: 1,
          requested: 0,
          granted: 1,
          suspended: 0,
          deletionObligations: 1,
        },
        truncated: false,
      });
      // The cell maker's side: the same grant, seen as originator.
      expect((await env.admin.offboardingImpact(ids.cell!)).asOriginator).toEqual([
        expect.objectContaining({ id: grantId, counterpart: ids.auto }),
      ]);
      await expectProblem(
        env.admin.offboardingImpact('00000000-0000-4000-8000-000000000000'),
        404,
        'PARTICIPANT.NOT_FOUND',
      );
      await expectProblem(cell.offboardingImpact(ids.auto!), 403, 'TOKEN.INSUFFICIENT_SCOPE');
    });

    it('offboards for good: the grant is revoked, the stream ends, deletion is owed and tokens are refused', async () => {
      const stream = await auto.stream(
        'battery.cfp',
        await auto.datasetToken('battery.cfp', 'subscribe', grantId),
      );
      const offboarded = await env.admin.offboardParticipant(ids.auto!, 'Left the consortium');
      await expectDocumented(env.platform.endpoints.registry, 'POST /participants/{id}/offboard', offboarded);
      expect(offboarded).toMatchObject({
        status: 'offboarded',
        offboardReason: 'Left the consortium',
        offboardedAt: expect.any(String),
      });
      // The stream ends at once.
      let end: StreamLine | null = null;
      const deadline = Date.now() + 15_000;
      while (!end && Date.now() < deadline) {
        const line = await stream.read(deadline - Date.now());
        if (line?.type === 'end') end = line;
      }
      stream.close();
      expect(end).toMatchObject({ type: 'end' });
      // Clearing revokes the grant with the offboarding's reason, through the ordinary revocation.
      const grant = await eventually(
        () => cell.grant(grantId),
        (g) => g.state === 'revoked',
      );
      expect(grant.state).toBe('revoked');
      const { items } = await compliance.auditEntries({ grant: grantId, kind: 'grant.changed', limit: '50' });
      expect(items.at(-1)?.record).toMatchObject({
        from: 'granted',
        to: 'revoked',
        reason: 'participant offboarded',
      });
      expect(items.at(-1)?.actor).toBe('consortium-admin');
      // The consumer owes deletion as after any revocation.
      const [obligation] = await cell.deletionObligations({ grant: grantId });
      expect(obligation).toMatchObject({ consumer: ids.auto, cause: 'revoked', status: 'open' });
      // Its token requests are refused (a new session: no token cached).
      const refused = await expectProblem(as('auto').platformToken(), 403, 'PARTICIPANT.SUSPENDED');
      expect(refused.detail).toContain('offboarded');
      // Nothing is left to offboard.
      expect((await env.admin.offboardingImpact(ids.auto!)).counts).toMatchObject({
        asConsumer: 0,
        granted: 0,
      });
    });

    it('is final: reactivation and attestation are refused, and offboarding again changes nothing', async () => {
      await expectProblem(env.admin.reactivateParticipant(ids.auto!), 409, 'PARTICIPANT.OFFBOARDED');
      await expectProblem(env.admin.suspendParticipant(ids.auto!), 409, 'PARTICIPANT.OFFBOARDED');
      await expectProblem(
        env.admin.attestParticipant(ids.auto!, { certifications: [], protection: 'none' }),
        409,
        'PARTICIPANT.OFFBOARDED',
      );
      const first = await env.admin.offboardParticipant(ids.auto!, 'again');
      expect(first).toMatchObject({ status: 'offboarded', offboardReason: 'Left the consortium' });
      await expectProblem(env.admin.offboardParticipant(ids.cell!, ''), 400, 'REQUEST.INVALID');
      // The originator is untouched: still active.
      expect((await env.admin.offboardingImpact(ids.cell!)).participant.status).toBe('active');
    });
  });
});
