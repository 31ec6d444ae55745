/**
 * A derived dataset's lineage and contributors are established by the platform, never taken from the
 * registrant, end to end with the four services running as processes. A member that derives from inputs
 * it holds grants on gets a contract whose contributors the registry counted (the distinct originators
 * behind the inputs), and the k gate opens only on those. Declaring `contributors: 50`, naming inputs it
 * holds no grant on (or only asked for), or padding the lineage with its own datasets gets it neither past
 * the k gate nor visibility for anyone who could not see the inputs.
 */
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { expectProblem } from '../support/problems.js';
import {
  corporateNumber,
  participantKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker, competitorCellMaker } from '../fixtures/battery-cfp.js';

const PURPOSE = 'cfp-disclosure';

/** A dataset with impersonal fields (minimum k 3) owned by whoever registers it. */
const dataset = (id: string) => ({ ...batteryCfpContract, dataset: id, title: `Lots: ${id}` });

/** A derived aggregate over `lineage`, as its registrant submits it. */
const derivedContract = (
  id: string,
  lineage: string[],
  derived: { aggregate: boolean; contributors?: number | null },
) => ({
  dataset: id,
  version: '1.0.0',
  title: `Derived ${id}`,
  domain: 'supply-chain',
  purposes: [PURPOSE],
  sensitivity: 'confidential',
  residency: null,
  retentionDays: 365,
  fields: {},
  schema: { type: 'object', properties: { total: { type: 'number' } } },
  lineage: lineage.map((d) => ({ dataset: d, version: '1.0.0' })),
  derived,
});

const logistics = {
  legalName: 'Hokuriku Logistics K.K.',
  corporateNumber: corporateNumber('230001012345'),
  industry: 'logistics',
  country: 'JP',
  roles: ['member'],
};

describe('derived datasets: verified lineage and contributors', () => {
  let env: TestPlatform;
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let member: RenkeiClient;
  let outsider: RenkeiClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    env = await startTestPlatform('security-derived-claims', 4401);
    const keys: Record<string, JWK> = {};
    const fixtures = { cell: cellMaker, auto: automaker, member: competitorCellMaker, outsider: logistics };
    for (const name of Object.keys(fixtures)) keys[name] = await participantKey(`${name}-key-1`);
    for (const [name, fixture] of Object.entries(fixtures)) {
      ids[name] = (await env.admin.onboard({ ...fixture, jwks: { keys: [publicJwk(keys[name]!)] } })).id;
    }
    const as = (name: string) =>
      new RenkeiClient(env.platform.endpoints, { clientId: ids[name]!, privateJwk: keys[name]! });
    [cell, auto, member, outsider] = [as('cell'), as('auto'), as('member'), as('outsider')];
    await cell.registerContract(dataset('cell.lots'));
    await auto.registerContract(dataset('auto.parts'));
    await auto.registerContract(dataset('auto.recalls'));
    for (const own of ['member.a', 'member.b', 'member.c']) await member.registerContract(dataset(own));
    // The member holds grants on cell.lots and auto.parts; it only asked for auto.recalls.
    for (const [owner, input] of [
      [cell, 'cell.lots'],
      [auto, 'auto.parts'],
    ] as const) {
      const grant = await member.requestGrant({ dataset: input, purpose: PURPOSE });
      await owner.approveGrant(grant.id);
    }
    await member.requestGrant({ dataset: 'auto.recalls', purpose: PURPOSE });
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('counts the distinct originators behind a verified lineage, and the k gate opens on them', async () => {
    const registered = (await member.registerContract(
      derivedContract('member.cfp-index', ['cell.lots', 'auto.parts', 'member.a'], { aggregate: true }),
    )) as unknown as { derived: unknown };
    // cell, auto and the member itself: three originators, the impersonal minimum k.
    expect(registered.derived).toEqual({ aggregate: true, contributors: 3, verified: true });
    // The outsider holds none of the inputs, but the aggregate rests on k verified originators.
    const grant = await outsider.requestGrant({ dataset: 'member.cfp-index', purpose: PURPOSE });
    expect(grant.state).toBe('requested');
  });

  it('refuses a declared contributor count above what the platform counts', async () => {
    const refused = await expectProblem(
      member.registerContract(
        derivedContract('member.fake-50', ['cell.lots'], { aggregate: true, contributors: 50 }),
      ),
      422,
      'DERIVED.CONTRIBUTORS_UNVERIFIED',
    );
    expect(refused.problem.errors).toEqual([
      {
        path: '/derived/contributors',
        message: 'declared 50, the platform counts 1 distinct originators behind the lineage',
      },
    ]);
    await expectProblem(member.contract('member.fake-50'), 404, 'CONTRACT.NOT_FOUND');
  });

  it('refuses lineage naming inputs the registrant holds no grant on, or only asked for', async () => {
    const refused = await expectProblem(
      member.registerContract(
        derivedContract('member.fake-lineage', ['cell.lots', 'auto.recalls', 'nobody.else'], {
          aggregate: true,
        }),
      ),
      403,
      'LINEAGE.INPUT_NOT_HELD',
    );
    expect(refused.problem.errors).toEqual([
      {
        path: '/lineage/1',
        message:
          "no grant held for dataset 'auto.recalls': you neither own it nor hold or held a grant on it",
      },
      { path: '/lineage/2', message: "no version 1.0.0 of dataset 'nobody.else' that you can see" },
    ]);
    // Someone else's lineage cannot be borrowed either: the outsider holds nothing.
    await expectProblem(
      outsider.registerContract(
        derivedContract('outsider.copy', ['cell.lots', 'auto.parts'], { aggregate: true }),
      ),
      403,
      'LINEAGE.INPUT_NOT_HELD',
    );
  });

  it('counts a registrant padding the lineage with its own datasets once: no k, no visibility', async () => {
    const registered = (await member.registerContract(
      derivedContract('member.padded', ['member.a', 'member.b', 'member.c'], {
        aggregate: true,
        contributors: 1,
      }),
    )) as unknown as { derived: unknown };
    expect(registered.derived).toEqual({ aggregate: true, contributors: 1, verified: true });
    await expectProblem(
      outsider.requestGrant({ dataset: 'member.padded', purpose: PURPOSE }),
      403,
      'LINEAGE.INPUT_NOT_VISIBLE',
    );
    // A non-aggregate over inputs the outsider cannot see stays closed to it whatever is declared.
    await member.registerContract(
      derivedContract('member.detail', ['cell.lots', 'auto.parts'], { aggregate: false }),
    );
    await expectProblem(
      outsider.requestGrant({ dataset: 'member.detail', purpose: PURPOSE }),
      403,
      'LINEAGE.INPUT_NOT_VISIBLE',
    );
  });
});
