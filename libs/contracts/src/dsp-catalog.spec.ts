import { describe, expect, it } from 'vitest';
import type { ContractTerms } from '@renkei/domain';
import { dcatCatalog, DSP_CONTEXT, type CatalogOffer } from './dcat.js';
import { dspCatalog, dspDataset, dspDatasetDocument } from './dsp-catalog.js';

type Node = Record<string, unknown>;

const owner = { id: '0b6f3c1e-2a4d-4f5e-8a9b-1c2d3e4f5a6b', legalName: 'Kansai Cell Works K.K.' };
const terms: ContractTerms = {
  dataset: 'battery.cfp',
  owner: owner.id,
  version: '1.2.0-rc.1',
  status: 'active',
  title: 'Battery cell carbon footprint per lot',
  domain: 'supply-chain',
  purposes: ['cfp-disclosure'],
  sensitivity: 'confidential',
  residency: 'JP',
  retentionDays: 30,
  approval: 'policy',
  fields: { plantId: { tags: ['competitive'], residency: 'JP' } },
  schema: { type: 'object', properties: { plantId: { type: 'string' } } },
};
const battery: CatalogOffer = { terms, owner };
const opts = {
  participantId: 'urn:renkei:clearing',
  protocolUrl: 'https://clearing.renkei.example/dsp/',
  registryUrl: 'https://registry.renkei.example',
  exchangeUrl: 'https://exchange.renkei.example',
};

describe('DSP catalog', () => {
  const catalog = dspCatalog([battery], opts);
  const [dataset] = catalog.dataset as Node[];
  const offer = (dataset?.hasPolicy as Node[])[0] as Node;

  it('is a Catalog with the DSP context only, naming this connector as participant', () => {
    expect(catalog).toMatchObject({
      '@context': [DSP_CONTEXT],
      '@id': 'https://clearing.renkei.example/dsp/catalog',
      '@type': 'Catalog',
      participantId: 'urn:renkei:clearing',
      service: [
        {
          '@id': 'https://clearing.renkei.example/dsp',
          '@type': 'DataService',
          endpointURL: 'https://clearing.renkei.example/dsp',
        },
      ],
    });
    expect(dataset).not.toHaveProperty('@context');
  });

  it('identifies the Dataset and its Offer by the DSP ids, the offer without a target', () => {
    expect(dataset?.['@id']).toBe('urn:renkei:dataset:battery.cfp:1.2.0-rc.1');
    expect(offer['@id']).toBe('urn:renkei:offer:battery.cfp:1.2.0-rc.1');
    expect(offer['@type']).toBe('Offer');
    expect(offer).not.toHaveProperty('target');
  });

  it('distributes each transfer format, negotiated through the connector, read at the exchange', () => {
    const service = (catalog.service as Node[])[0];
    expect(dataset?.distribution).toEqual([
      {
        '@type': 'Distribution',
        format: 'HttpData-PULL',
        'dcat:accessURL': { '@id': 'https://exchange.renkei.example/datasets/battery.cfp/snapshot' },
        accessService: service,
      },
      {
        '@type': 'Distribution',
        format: 'Renkei-NDJSON-STREAM',
        'dcat:accessURL': { '@id': 'https://exchange.renkei.example/datasets/battery.cfp/stream' },
        accessService: service,
      },
    ]);
  });

  it('carries the same terms as the DCAT view: only the frame differs', () => {
    const [dcat] = dcatCatalog([battery], {
      catalogId: 'x',
      registryUrl: opts.registryUrl,
      exchangeUrl: 'https://exchange.renkei.example',
    }).dataset as Node[];
    const strip = ({ '@id': _id, distribution: _d, hasPolicy, ...rest }: Node) => ({
      ...rest,
      hasPolicy: (hasPolicy as Node[]).map(({ '@id': _o, ...policy }) => policy),
    });
    expect(strip(dataset as Node)).toEqual(strip(dcat as Node));
    expect(dataset?.['https://registry.renkei.example/vocab#approval']).toBe('policy');
  });

  it('answers a dataset alone with the DSP context and the same members', () => {
    expect(dspDatasetDocument(battery, opts)).toEqual({
      '@context': [DSP_CONTEXT],
      ...dspDataset(battery, opts),
    });
  });

  it('leaves the dataset member out when there is nothing to show (DSP wants at least one)', () => {
    expect(dspCatalog([], opts)).not.toHaveProperty('dataset');
  });
});
