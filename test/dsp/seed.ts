/**
 * The TCK run's seeding step, through the public APIs only: participants (the originator, the TCK's peer
 * connector with its own key, a consumer member), the TCK's peer registration, one contract per CAT/CN
 * test, one grant per TP test, and the seeds file (every key of infra/dsp-tck/seeds.example.properties).
 */
import { RenkeiClient, RenkeiError, type Endpoints } from '@renkei/sdk';
import type { JWK } from 'jose';
import { corporateNumber, participantKey, publicJwk } from '../support/test-platform.js';
import { dspDatasetId, dspOfferId } from '@renkei/contracts';
import {
  consumerNegotiations,
  consumerTransfers,
  providerNegotiations,
  providerTransfers,
  seedDataset,
  seedPrefix,
  type Step,
} from './tck-script.js';

export const PURPOSE = 'dsp-conformance';
const VERSION = '1.0.0';
/** The transfer format every TP test asks for (the catalog's HTTP pull distribution). */
export const TP_FORMAT = 'HttpData-PULL';

export interface Seeded {
  seeds: Record<string, string>;
  originator: RenkeiClient;
  consumer: RenkeiClient;
  tck: { id: string; client: RenkeiClient };
  /** Provider CN tests by dataset, with the steps the driver makes for each. */
  negotiationTests: Map<string, { test: string; steps: Step[] }>;
  /** Provider TP tests by grant id. */
  transferTests: Map<string, { test: string; steps: Step[] }>;
  /** Consumer CN_C tests by the dataset id the TCK names, TP_C tests by agreement id. */
  consumerNegotiationTests: Map<string, { test: string; steps: Step[] }>;
  consumerTransferTests: Map<string, { test: string; steps: Step[] }>;
  /** False when the registry does not know `approval: 'policy'`: the driver makes the policy's moves. */
  policyApproval: boolean;
}

const member = (legalName: string, base12: string, country = 'JP') => ({
  legalName,
  corporateNumber: corporateNumber(base12),
  industry: 'dataspace-conformance',
  country,
  roles: ['member'],
});

const contract = (dataset: string, title: string, extra: Record<string, unknown> = {}) => ({
  dataset,
  version: VERSION,
  title,
  domain: 'supply-chain',
  purposes: [PURPOSE],
  sensitivity: 'internal',
  residency: null,
  retentionDays: 30,
  fields: { reading: { tags: ['cooperative'] } },
  schema: {
    type: 'object',
    required: ['reading'],
    additionalProperties: false,
    properties: { reading: { type: 'number' } },
  },
  ...extra,
});

export async function seed(
  endpoints: Endpoints,
  admin: RenkeiClient,
  options: {
    callbackAddress: string;
    groups: { provider: boolean; consumer: boolean };
    log(line: string): void;
  },
): Promise<Seeded> {
  const keys: Record<'originator' | 'tck' | 'consumer', JWK> = {
    originator: await participantKey('tck-originator-1'),
    tck: await participantKey('tck-connector-1'),
    consumer: await participantKey('tck-consumer-1'),
  };
  const [originatorView, tckView, consumerView] = await Promise.all([
    admin.onboard({
      ...member('TCK Provider Originator K.K.', '700000000001'),
      jwks: { keys: [publicJwk(keys.originator)] },
    }),
    // The TCK's connector: an external participant authenticating with its own key (RFC 7523).
    admin.onboard({
      ...member('Eclipse Dataspace TCK Connector', '700000000002'),
      jwks: { keys: [publicJwk(keys.tck)] },
    }),
    admin.onboard({
      ...member('TCK Consumer Member K.K.', '700000000003'),
      jwks: { keys: [publicJwk(keys.consumer)] },
    }),
  ]);
  const client = (id: string, key: JWK) => new RenkeiClient(endpoints, { clientId: id, privateJwk: key });
  const originator = client(originatorView.id, keys.originator);
  const consumer = client(consumerView.id, keys.consumer);
  const tck = client(tckView.id, keys.tck);
  // Its callback server is the peer's protocol address; it takes no token (no tokenUrl).
  await admin
    .registerDspPeer({ participantId: tckView.id, address: options.callbackAddress, tokenUrl: null })
    .catch((error: unknown) => {
      // A platform without the connector API: the TCK's tests fail and say so; the run still reports them.
      if (error instanceof RenkeiError && error.status === 404)
        options.log(`no DSP peer registered: ${error.message}`);
      else throw error;
    });

  const seeds: Record<string, string> = {};
  const negotiationTests = new Map<string, { test: string; steps: Step[] }>();
  const transferTests = new Map<string, { test: string; steps: Step[] }>();
  let policyApproval = true;

  if (options.groups.provider) {
    // CAT: two visible datasets, and one invited-only dataset the TCK is not invited to (CatalogError).
    for (const id of ['CAT:01-01', 'CAT:01-02']) {
      const dataset = seedDataset(id);
      await originator.registerContract(contract(dataset, `TCK ${id}`));
      seeds[`${seedPrefix(id)}_DATASETID`] = dspDatasetId(dataset, VERSION);
    }
    const hidden = seedDataset('CAT:01-03');
    await originator.registerContract(
      contract(hidden, 'TCK CAT:01-03 (invited only)', { visibility: 'invited', invited: [consumerView.id] }),
    );
    seeds.CAT_01_03_DATASETID = dspDatasetId(hidden, VERSION);

    // CN: one contract per test, a single purpose each (the TCK's request names none).
    for (const test of providerNegotiations) {
      const dataset = seedDataset(test.id);
      const extra: Record<string, unknown> =
        test.approval === 'originator'
          ? {}
          : { approval: 'policy', ...(test.approval === 'refused' ? { residency: 'DE' } : {}) };
      let view: Record<string, unknown>;
      try {
        view = await originator.registerContract(contract(dataset, `TCK ${test.id}`, extra));
      } catch (error) {
        // A registry without the `approval` term: register without it, the originator decides instead.
        if (!(error instanceof RenkeiError) || error.status !== 400 || !('approval' in extra)) throw error;
        const { approval: _approval, ...rest } = extra;
        view = await originator.registerContract(contract(dataset, `TCK ${test.id}`, rest));
      }
      const byPolicy = test.approval !== 'originator' && view.approval === 'policy';
      if (test.approval !== 'originator' && !byPolicy) policyApproval = false;
      negotiationTests.set(dataset, {
        test: test.id,
        steps: byPolicy ? test.steps : (test.fallback ?? test.steps),
      });
      seeds[`${seedPrefix(test.id)}_DATASETID`] = dspDatasetId(dataset, VERSION);
      seeds[`${seedPrefix(test.id)}_OFFERID`] = dspOfferId(dataset, VERSION);
    }

    // TP: one grant per test for the TCK's participant (any grant is an agreement; not negotiated here).
    for (const test of providerTransfers) {
      const dataset = seedDataset(test.id);
      await originator.registerContract(contract(dataset, `TCK ${test.id}`));
      const requested = await tck.requestGrant({ dataset, purpose: PURPOSE });
      await originator.approveGrant(requested.id, 'agreement for the Dataspace TCK');
      if (test.grant === 'suspended') await originator.suspendGrant(requested.id, 'the transfer must wait');
      if (test.grant === 'revoked') await originator.revokeGrant(requested.id, 'the transfer must end');
      transferTests.set(requested.id, { test: test.id, steps: test.steps });
      seeds[`${seedPrefix(test.id)}_AGREEMENTID`] = requested.id;
      seeds[`${seedPrefix(test.id)}_FORMAT`] = TP_FORMAT;
    }
  }

  // Consumer groups: the TCK plays the provider; nothing to hold here, the ids only key the script.
  const consumerNegotiationTests = new Map<string, { test: string; steps: Step[] }>();
  const consumerTransferTests = new Map<string, { test: string; steps: Step[] }>();
  for (const test of consumerNegotiations) {
    const dataset = seedDataset(test.id);
    consumerNegotiationTests.set(dataset, { test: test.id, steps: test.steps });
    seeds[`${seedPrefix(test.id)}_DATASETID`] = dataset;
  }
  for (const test of consumerTransfers) {
    const agreement = seedDataset(test.id);
    consumerTransferTests.set(agreement, { test: test.id, steps: test.steps });
    seeds[`${seedPrefix(test.id)}_AGREEMENTID`] = agreement;
    seeds[`${seedPrefix(test.id)}_FORMAT`] = TP_FORMAT;
  }

  return {
    seeds,
    originator,
    consumer,
    tck: { id: tckView.id, client: tck },
    negotiationTests,
    transferTests,
    consumerNegotiationTests,
    consumerTransferTests,
    policyApproval,
  };
}

/** The seeds file: `KEY=value` lines (a value's colons need no escape after the first `=`). */
export function seedsFile(seeds: Record<string, string>): string {
  const lines = Object.entries(seeds)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value.replace(/\\/g, '\\\\')}`);
  return `# written by test/dsp/tck-run.ts for this run\n${lines.join('\n')}\n`;
}
