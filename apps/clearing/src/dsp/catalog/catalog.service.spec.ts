import { describe, expect, it } from 'vitest';
import { DomainError, type ContractTerms } from '@renkei/domain';
import {
  AUTOMAKER,
  CELL_MAKER,
  STRANGER,
  contract,
  participant,
  projection,
} from '../../testing/fixtures.js';
import {
  DSP_CATALOG_PAGE,
  DspCatalogService,
  offeredTo,
  type DspCatalogSettings,
} from './catalog.service.js';

type Node = Record<string, unknown>;

const settings: DspCatalogSettings = {
  participantId: 'urn:renkei:clearing',
  protocolUrl: 'https://clearing.renkei.example/dsp',
  registryUrl: 'https://registry.renkei.example',
  exchangeUrl: 'https://exchange.renkei.example',
};

/** The cell maker's consortium dataset (fixtures), an invited-only one for the automaker, and a draft. */
function setup(extra: ContractTerms[] = []) {
  const state = projection();
  const publish = (terms: ContractTerms) =>
    state.apply({
      type: terms.status === 'draft' ? 'contract.drafted' : 'contract.published',
      contract: terms,
    });
  publish(contract({ dataset: 'battery.soh', visibility: 'invited', invited: [AUTOMAKER] }));
  publish(contract({ dataset: 'battery.plan', status: 'draft' }));
  extra.forEach(publish);
  let syncs = 0;
  const sync = () => {
    syncs++;
    return Promise.resolve();
  };
  const service = new DspCatalogService(state, sync, settings);
  return { state, service, syncs: () => syncs };
}

const ids = (catalog: Node) => ((catalog.dataset as Node[] | undefined) ?? []).map((d) => d['@id']);

async function refusal(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe('DSP catalog: who sees what', () => {
  it('shows a peer the consortium datasets and the invited-only ones that invite it, by DSP id', async () => {
    const { service } = setup();
    expect(ids((await service.catalog(AUTOMAKER)).catalog)).toEqual([
      'urn:renkei:dataset:battery.cfp:1.0.0',
      'urn:renkei:dataset:battery.soh:1.0.0',
    ]);
    expect(ids((await service.catalog(STRANGER)).catalog)).toEqual(['urn:renkei:dataset:battery.cfp:1.0.0']);
  });

  it("shows the owner its own datasets, drafts too, but nobody else's draft", () => {
    const draft = contract({ status: 'draft' });
    expect(offeredTo(CELL_MAKER, draft)).toBe(true);
    expect(offeredTo(AUTOMAKER, draft)).toBe(false);
    expect(offeredTo(AUTOMAKER, contract({ status: 'retired' }))).toBe(false);
    expect(offeredTo(AUTOMAKER, contract({ status: 'deprecated' }))).toBe(true);
  });

  it('lists only the current version of each dataset', async () => {
    const { service } = setup([contract({ version: '1.1.0' }), contract({ version: '2.0.0-rc.1' })]);
    expect(ids((await service.catalog(STRANGER)).catalog)).toEqual(['urn:renkei:dataset:battery.cfp:1.1.0']);
  });

  it('names the connector as participant, and never the invited list', async () => {
    const { service } = setup();
    const { catalog } = await service.catalog(AUTOMAKER);
    expect(catalog.participantId).toBe('urn:renkei:clearing');
    expect(JSON.stringify(catalog)).not.toContain(AUTOMAKER);
    const soh = await service.dataset(AUTOMAKER, 'urn:renkei:dataset:battery.soh:1.0.0');
    expect(JSON.stringify(soh)).not.toContain(AUTOMAKER);
  });

  it('publishes the owner by its legal name', async () => {
    const { state, service } = setup();
    state.apply({
      type: 'participant.upserted',
      participant: participant(CELL_MAKER, { legalName: 'Kansai Cell Works K.K.' }),
    });
    const cfp = await service.dataset(STRANGER, 'urn:renkei:dataset:battery.cfp:1.0.0');
    expect(cfp['dct:publisher']).toMatchObject({
      'http://xmlns.com/foaf/0.1/name': 'Kansai Cell Works K.K.',
    });
  });
});

describe('DSP catalog: a dataset by id', () => {
  it('answers a Dataset with the DSP context, its offer without a target, two formats', async () => {
    const { service } = setup();
    const cfp = await service.dataset(STRANGER, 'urn:renkei:dataset:battery.cfp:1.0.0');
    expect(cfp).toMatchObject({
      '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
      '@id': 'urn:renkei:dataset:battery.cfp:1.0.0',
      '@type': 'Dataset',
    });
    const [offer] = cfp.hasPolicy as Node[];
    expect(offer).toMatchObject({ '@id': 'urn:renkei:offer:battery.cfp:1.0.0', '@type': 'Offer' });
    expect(offer).not.toHaveProperty('target');
    expect((cfp.distribution as Node[]).map((d) => d.format)).toEqual([
      'HttpData-PULL',
      'Renkei-NDJSON-STREAM',
    ]);
  });

  it('answers an older published version by its own id', async () => {
    const { service } = setup([contract({ version: '1.1.0' })]);
    const old = await service.dataset(STRANGER, 'urn:renkei:dataset:battery.cfp:1.0.0');
    expect(old['dcat:version']).toBe('1.0.0');
  });

  it('answers an invited-only dataset the peer is not invited to exactly like a missing one', async () => {
    const { service, syncs } = setup();
    /** The refusal, and how many times the projection was waited for before it. */
    const refused = async (id: string) => {
      const before = syncs();
      const error = await refusal(service.dataset(STRANGER, id));
      return {
        code: error.code,
        kind: error.kind,
        message: error.message,
        hint: error.hint,
        waits: syncs() - before,
      };
    };
    const hidden = await refused('urn:renkei:dataset:battery.soh:1.0.0');
    expect(hidden).toEqual({
      code: 'CONTRACT.NOT_FOUND',
      kind: 'not-found',
      message: 'No such dataset in this catalog',
      hint: expect.any(String),
      waits: 2, // fresh enough, then a full barrier: the dataset might have just been published
    });
    for (const id of [
      'urn:renkei:dataset:battery.none:1.0.0',
      'urn:renkei:dataset:battery.plan:1.0.0',
      'urn:renkei:dataset:battery.soh',
      'urn:renkei:dataset:battery.soh:9.9.9',
    ])
      expect(await refused(id)).toEqual(hidden);
    // The invited peer gets it.
    expect((await service.dataset(AUTOMAKER, 'urn:renkei:dataset:battery.soh:1.0.0'))['@id']).toBe(
      'urn:renkei:dataset:battery.soh:1.0.0',
    );
  });
});

describe('DSP catalog: paging', () => {
  it(`puts ${DSP_CATALOG_PAGE} datasets on a page and says where the next one starts`, async () => {
    const many = Array.from({ length: DSP_CATALOG_PAGE + 5 }, (_, i) =>
      contract({ dataset: `bulk.d${String(i).padStart(4, '0')}` }),
    );
    const { service } = setup(many);
    const first = await service.catalog(STRANGER);
    // battery.cfp, then the first 199 of the bulk datasets (battery.plan and battery.soh are not the stranger's).
    expect(ids(first.catalog)).toHaveLength(DSP_CATALOG_PAGE);
    expect(first.next).toBe('bulk.d0198');
    const second = await service.catalog(STRANGER, first.next);
    expect(ids(second.catalog)).toEqual(
      [199, 200, 201, 202, 203, 204].map((i) => `urn:renkei:dataset:bulk.d0${i}:1.0.0`),
    );
    expect(second.next).toBeNull();
  });
});
