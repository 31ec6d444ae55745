/**
 * ContractsService's own rules — who may register and change what, version order, compatibility,
 * visibility, the current version, events and the relay after commit — against an in-memory store behind
 * the ContractsRepository interface (test/support/in-memory-contracts.ts, held to the same contract as the
 * PostgreSQL one by test/integration/contracts-repository.test.ts), and the real schema checks (SchemaWork
 * inline). The service over PostgreSQL is covered end to end by test/e2e/registry-contracts.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '@renkei/auth';
import { concealedTarget, DomainError, type CompatibilityMode } from '@renkei/domain';
import { parseOrThrow } from '@renkei/platform';
import { InMemoryContracts } from '../../../../test/support/in-memory-contracts.js';
import { RegisterContractSchema, registerExample, type RegisterContract } from './contracts.dto.js';
import { ContractsService } from './contracts.service.js';
import type { HeldGrants } from './held-grants.js';
import { SchemaWork } from './schema-work.js';

const principal = (participantId: string, ...scopes: string[]): Principal => ({
  participantId,
  scopes: new Set(['contracts:write', ...scopes]),
  claims: { sub: participantId, scope: scopes.join(' '), jti: randomUUID() },
});

const owner = principal(randomUUID());
const rival = principal(randomUUID());
const admin = principal(randomUUID(), 'participants:admin');

/** A registration as POST /contracts would pass it on (defaults applied by the DTO). */
const contract = (overrides: Record<string, unknown> = {}): RegisterContract =>
  parseOrThrow(RegisterContractSchema, { ...registerExample, compatibility: undefined, ...overrides });

const schemaV1 = registerExample.schema;
/** Adds an optional field: a backward-compatible change. */
const schemaV2 = {
  ...schemaV1,
  properties: { ...schemaV1.properties, plantId: { type: 'string' } },
};
/** Makes the new field required: old events no longer validate, so BACKWARD refuses it. */
const schemaBreaking = { ...schemaV2, required: [...schemaV1.required, 'plantId'] };

async function refusal(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

let store: InMemoryContracts;
let flushes: number;
let held: Set<string>;
let contracts: ContractsService;

beforeEach(() => {
  store = new InMemoryContracts();
  for (const p of [owner, rival, admin])
    store.state.participants.set(p.participantId, { id: p.participantId, status: 'active' });
  flushes = 0;
  held = new Set();
  const heldGrants: HeldGrants = { held: () => Promise.resolve(held) };
  const outbox = {
    flush: () => {
      flushes++;
      return Promise.resolve(true);
    },
  };
  contracts = new ContractsService(store, outbox, heldGrants, new SchemaWork({}, true));
});

describe('ContractsService: registering versions', () => {
  it('publishes a first version under BACKWARD, current, with its event and transition, then relays', async () => {
    const dto = await contracts.register(owner, contract());
    expect(dto).toMatchObject({
      dataset: 'battery.cfp',
      version: '1.0.0',
      status: 'active',
      current: true,
      compatibility: 'BACKWARD',
      owner: owner.participantId,
      minimumProtection: expect.any(String),
    });
    expect(store.state.datasets.get('battery.cfp')).toMatchObject({ compatibility: 'BACKWARD' });
    expect(store.state.events.map((e) => e.type)).toEqual(['contract.published']);
    expect(store.state.events[0]).toMatchObject({ actor: owner.participantId, reason: null });
    expect(store.state.transitions).toMatchObject([{ fromStatus: null, toStatus: 'active' }]);
    expect(flushes).toBe(1);
  });

  it('carries who approves grant requests into the answer and the event; originator unless said', async () => {
    const plain = await contracts.register(owner, contract());
    expect(plain.approval).toBe('originator');
    const auto = await contracts.register(
      owner,
      contract({ dataset: 'battery.soh', approval: 'policy', version: '1.0.0' }),
    );
    expect(auto.approval).toBe('policy');
    expect(
      store.state.events.map((e) => (e as { contract?: { approval?: string } }).contract?.approval),
    ).toEqual(['originator', 'policy']);
    await contracts.register(
      owner,
      contract({ dataset: 'battery.draft', approval: 'policy', status: 'draft' }),
    );
    const edited = await contracts.updateDraft(owner, 'battery.draft', '1.0.0', {
      ...contract({ status: 'draft' }),
      approval: 'originator',
    });
    expect(edited.approval).toBe('originator');
  });

  it("records a received dataset's external agreement, naming an unknown provider", async () => {
    const source = {
      agreementId: 'urn:uuid:agreement-1',
      provider: rival.participantId,
      dataset: 'urn:edc:asset:cells',
    };
    const dto = await contracts.register(owner, contract({ dataset: 'received.cfp', source }));
    expect(dto.source).toEqual(source);
    expect((store.state.events[0] as { contract?: { source?: unknown } }).contract?.source).toEqual(source);
    const nobody = randomUUID();
    const invalid = await refusal(
      contracts.register(
        owner,
        contract({ dataset: 'received.soh', source: { ...source, provider: nobody } }),
      ),
    );
    expect(invalid.details).toEqual([{ path: '/source/provider', message: `no participant ${nobody}` }]);
  });

  it('keeps a draft out of the current slot and announces it as drafted', async () => {
    const dto = await contracts.register(owner, contract({ status: 'draft' }));
    expect(dto).toMatchObject({ status: 'draft', current: false });
    expect(store.state.events.map((e) => e.type)).toEqual(['contract.drafted']);
  });

  it('refuses a version that exists or is not above the newest published one, writing nothing', async () => {
    await contracts.register(owner, contract({ version: '1.2.0' }));
    const written = structuredClone(store.state);
    expect((await refusal(contracts.register(owner, contract({ version: '1.2.0' })))).code).toBe(
      'CONTRACT.VERSION_EXISTS',
    );
    expect((await refusal(contracts.register(owner, contract({ version: '1.1.9' })))).code).toBe(
      'CONTRACT.VERSION_NOT_INCREASING',
    );
    expect(store.state).toEqual(written);
    expect(flushes).toBe(1);
  });

  it('refuses a breaking change under BACKWARD, naming the schema path and the version it breaks', async () => {
    await contracts.register(owner, contract());
    const error = await refusal(
      contracts.register(owner, contract({ version: '2.0.0', schema: schemaBreaking })),
    );
    expect(error.code).toBe('CONTRACT.INCOMPATIBLE');
    expect(error.kind).toBe('conflict');
    expect(error.details).toEqual([
      expect.objectContaining({
        path: expect.stringMatching(/^\/schema/),
        field: '/plantId',
        against: '1.0.0',
      }),
    ]);
    expect(store.state.versions.map((v) => v.version)).toEqual(['1.0.0']);
  });

  it('accepts the same breaking change under NONE, the mode set with the first version', async () => {
    await contracts.register(owner, contract({ compatibility: 'NONE' satisfies CompatibilityMode }));
    const dto = await contracts.register(owner, contract({ version: '2.0.0', schema: schemaBreaking }));
    expect(dto).toMatchObject({ version: '2.0.0', current: true, compatibility: 'NONE' });
    expect(store.state.versions.find((v) => v.version === '1.0.0')?.current).toBe(false);
  });

  it('keeps the mode per dataset: a different one is refused, or only warned about for an ODCS import', async () => {
    await contracts.register(owner, contract());
    const error = await refusal(
      contracts.register(owner, contract({ version: '1.1.0', compatibility: 'FULL' })),
    );
    expect(error.code).toBe('CONTRACT.COMPATIBILITY_IS_PER_DATASET');
    const warnings: string[] = [];
    await contracts.register(owner, contract({ version: '1.1.0', compatibility: 'FULL' }), { warnings });
    expect(warnings).toEqual([expect.stringContaining('compatibility FULL ignored')]);
    expect(store.state.datasets.get('battery.cfp')?.compatibility).toBe('BACKWARD');
  });

  it("refuses another participant's dataset id, a suspended participant and unknown invitees", async () => {
    await contracts.register(owner, contract());
    expect((await refusal(contracts.register(rival, contract({ version: '2.0.0' })))).code).toBe(
      'CONTRACT.DATASET_TAKEN',
    );
    const nobody = randomUUID();
    const invalid = await refusal(
      contracts.register(
        owner,
        contract({ dataset: 'battery.soh', visibility: 'invited', invited: [nobody] }),
      ),
    );
    expect(invalid.code).toBe('CONTRACT.INVALID_TERMS');
    expect(invalid.details).toEqual([{ path: '/invited/0', message: `no participant ${nobody}` }]);
    store.state.participants.set(rival.participantId, { id: rival.participantId, status: 'suspended' });
    expect((await refusal(contracts.register(rival, contract({ dataset: 'battery.soh' })))).code).toBe(
      'PARTICIPANT.SUSPENDED',
    );
  });

  it("counts a derived dataset's contributors from the inputs it holds grants on, not the registrant", async () => {
    await contracts.register(owner, contract());
    const lineage = [{ dataset: 'battery.cfp', version: '1.0.0' }];
    const refused = await refusal(
      contracts.register(
        rival,
        contract({ dataset: 'cps.cfp-forecast', lineage, derived: { aggregate: true } }),
      ),
    );
    expect(refused.code).toBe('LINEAGE.INPUT_NOT_HELD');
    held = new Set(['battery.cfp']);
    const dto = await contracts.register(
      rival,
      contract({ dataset: 'cps.cfp-forecast', lineage, derived: { aggregate: true } }),
      { authorization: 'Bearer rival' },
    );
    expect(dto.derived).toEqual({ aggregate: true, contributors: 1, verified: true });
  });
});

describe('ContractsService: lifecycle and visibility', () => {
  it('activates a compatible draft: it becomes current and the previous version steps aside', async () => {
    await contracts.register(owner, contract());
    await contracts.register(owner, contract({ version: '1.1.0', status: 'draft', schema: schemaV2 }));
    const dto = await contracts.transition(owner, 'battery.cfp', '1.1.0', 'active', 'Adds plantId');
    expect(dto).toMatchObject({ status: 'active', current: true });
    expect(store.state.versions.filter((v) => v.current).map((v) => v.version)).toEqual(['1.1.0']);
    expect(store.state.events.at(-1)).toMatchObject({ type: 'contract.published', reason: 'Adds plantId' });
  });

  it('lets the consortium admin deprecate a version but not a member who does not own it', async () => {
    await contracts.register(owner, contract());
    expect(
      (await refusal(contracts.transition(rival, 'battery.cfp', '1.0.0', 'deprecated', null))).code,
    ).toBe('CONTRACT.NOT_OWNER');
    const dto = await contracts.transition(admin, 'battery.cfp', '1.0.0', 'deprecated', 'Superseded');
    expect(dto.status).toBe('deprecated');
    expect(await contracts.transitions(owner, 'battery.cfp', '1.0.0')).toMatchObject([
      { from: null, to: 'active' },
      { from: 'active', to: 'deprecated', actor: admin.participantId, reason: 'Superseded' },
    ]);
  });

  it('shows a draft to its owner only: anyone else gets the 404 of a dataset that does not exist', async () => {
    await contracts.register(owner, contract({ status: 'draft' }));
    expect((await contracts.current(owner, 'battery.cfp')).version).toBe('1.0.0');
    const hidden = await refusal(contracts.version(rival, 'battery.cfp', '1.0.0'));
    const missing = await refusal(contracts.version(rival, 'battery.none', '1.0.0'));
    expect([hidden.code, hidden.kind, hidden.message]).toEqual([
      missing.code,
      missing.kind,
      expect.any(String),
    ]);
    expect(hidden.code).toBe('CONTRACT.NOT_FOUND');
    // Only the hidden one is a refusal for the audit chain.
    expect(concealedTarget(hidden)).toEqual({ type: 'dataset', id: 'battery.cfp' });
    expect(concealedTarget(missing)).toBeUndefined();
    expect((await refusal(contracts.versions(rival, 'battery.cfp'))).code).toBe('CONTRACT.NOT_FOUND');
  });

  it('edits a draft, never a published version', async () => {
    await contracts.register(owner, contract({ status: 'draft' }));
    const edited = await contracts.updateDraft(owner, 'battery.cfp', '1.0.0', {
      ...contract({ status: 'draft' }),
      title: 'Battery cell CFP (draft 2)',
    });
    expect(edited.title).toBe('Battery cell CFP (draft 2)');
    await contracts.transition(owner, 'battery.cfp', '1.0.0', 'active', null);
    expect(
      (await refusal(contracts.updateDraft(owner, 'battery.cfp', '1.0.0', contract({ title: 'Changed' }))))
        .code,
    ).toBe('CONTRACT.IMMUTABLE');
  });

  it('changes the mode for future versions and announces it', async () => {
    await contracts.register(owner, contract());
    const result = await contracts.setCompatibility(owner, 'battery.cfp', 'NONE');
    expect(result).toMatchObject({ dataset: 'battery.cfp', compatibility: 'NONE' });
    expect(store.state.events.at(-1)).toMatchObject({
      type: 'dataset.changed',
      dataset: 'battery.cfp',
      owner: owner.participantId,
      compatibility: 'NONE',
    });
    expect(
      await contracts.register(owner, contract({ version: '2.0.0', schema: schemaBreaking })),
    ).toMatchObject({
      compatibility: 'NONE',
    });
  });

  it('dry-runs the next version: proposes the next minor and reports breaks, changing nothing', async () => {
    await contracts.register(owner, contract());
    const written = structuredClone(store.state);
    const ok = await contracts.checkNext(owner, 'battery.cfp', { schema: schemaV2 });
    expect(ok).toMatchObject({ version: '1.1.0', compatible: true, checkedAgainst: ['1.0.0'], breaks: [] });
    const broken = await contracts.checkNext(owner, 'battery.cfp', { schema: schemaBreaking });
    expect(broken.compatible).toBe(false);
    expect(broken.breaks[0]?.schemaPath).toMatch(/^\/schema/);
    expect(store.state).toEqual(written);
    expect((await refusal(contracts.checkNext(rival, 'battery.cfp', { schema: schemaV2 }))).code).toBe(
      'CONTRACT.NOT_FOUND',
    );
  });
});
