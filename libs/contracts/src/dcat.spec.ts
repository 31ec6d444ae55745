import { describe, expect, it } from 'vitest';
import type { ContractTerms } from '@renkei/domain';
import { dcatCatalog, DSP_CONTEXT, type CatalogOffer } from './dcat.js';

const registryUrl = 'https://registry.renkei.example';
const exchangeUrl = 'https://exchange.renkei.example/';

const battery: CatalogOffer = {
  owner: {
    id: '0b6f3c1e-2a4d-4f5e-8a9b-1c2d3e4f5a6b',
    legalName: 'Kansai Cell Works K.K.',
    corporateNumber: '4120001077501',
    lei: null,
    bpn: 'BPNL00000003CRHK',
  },
  terms: {
    dataset: 'battery.cfp',
    owner: '0b6f3c1e-2a4d-4f5e-8a9b-1c2d3e4f5a6b',
    version: '1.2.0',
    status: 'active',
    title: 'Battery cell carbon footprint per lot',
    description: 'Cradle-to-gate carbon footprint of each cell lot.',
    domain: 'supply-chain',
    purposes: ['cfp-disclosure', 'due-diligence'],
    sensitivity: 'confidential',
    residency: 'JP',
    retentionDays: 365,
    approval: 'policy',
    fields: {
      cfpKgCo2ePerKwh: { tags: ['cooperative'] },
      unitPriceJpy: { tags: ['competitive'] },
      plantId: { tags: ['competitive'], residency: 'JP' },
    },
    schema: { type: 'object', properties: {} },
  },
};

const legacy: CatalogOffer = {
  owner: { id: 'f0e1d2c3-b4a5-4697-8877-665544332211', legalName: 'Chubu Logistics Co., Ltd.' },
  terms: {
    dataset: 'logistics.shipments',
    owner: 'f0e1d2c3-b4a5-4697-8877-665544332211',
    version: '0.9.0',
    status: 'deprecated',
    title: 'Shipments (old layout)',
    domain: 'logistics',
    purposes: ['delivery-planning'],
    sensitivity: 'internal',
    residency: null,
    retentionDays: null,
    fields: {},
    schema: { type: 'object', properties: {} },
  } satisfies ContractTerms,
};

const catalog = dcatCatalog([battery, legacy], {
  catalogId: `${registryUrl}/catalog/dcat`,
  registryUrl,
  exchangeUrl,
  participantId: 'did:web:renkei.example',
});

type Node = Record<string, unknown>;
const ADMS_STATUS = 'http://www.w3.org/ns/adms#status';
const datasets = catalog.dataset as Node[];
const [cfp, old] = datasets as [Node, Node];
const offerOf = (dataset: Node) => (dataset.hasPolicy as Node[])[0] as Node;

describe('DCAT / Dataspace Protocol catalog', () => {
  it('is a DSP 2025-1 Catalog in JSON-LD', () => {
    // DSP 2025-1 (common/context-schema.json): @context is an array of context URLs only
    expect(catalog['@context']).toEqual([DSP_CONTEXT]);
    expect(DSP_CONTEXT).toBe('https://w3id.org/dspace/2025/1/context.jsonld');
    expect(catalog['@id']).toBe('https://registry.renkei.example/catalog/dcat');
    expect(catalog['@type']).toBe('Catalog');
    expect(catalog.participantId).toBe('did:web:renkei.example');
    expect(catalog.service).toEqual([
      {
        '@id': 'https://exchange.renkei.example',
        '@type': 'DataService',
        endpointURL: 'https://exchange.renkei.example',
        'dct:title': 'Renkei exchange',
      },
    ]);
    expect(datasets).toHaveLength(2);
  });

  it('describes each contract version as a Dataset identified by its version URL', () => {
    const versionUrl = 'https://registry.renkei.example/contracts/battery.cfp/versions/1.2.0';
    expect(cfp).toMatchObject({
      '@id': versionUrl,
      '@type': 'Dataset',
      'dct:identifier': 'battery.cfp',
      'dct:title': 'Battery cell carbon footprint per lot',
      'dct:description': 'Cradle-to-gate carbon footprint of each cell lot.',
      'dcat:version': '1.2.0',
      'dct:conformsTo': { '@id': versionUrl },
      'dct:isVersionOf': { '@id': 'https://registry.renkei.example/contracts/battery.cfp' },
      'dcat:keyword': ['supply-chain', 'cooperative', 'competitive'],
      'http://www.w3.org/ns/adms#status': { '@id': 'http://purl.org/adms/status/Completed' },
      'https://registry.renkei.example/vocab#sensitivity': 'confidential',
      'https://registry.renkei.example/vocab#minimumProtection': 'access-control',
    });
    expect(cfp['dct:publisher']).toEqual({
      '@id': 'https://registry.renkei.example/participants/0b6f3c1e-2a4d-4f5e-8a9b-1c2d3e4f5a6b',
      '@type': 'http://xmlns.com/foaf/0.1/Organization',
      'http://xmlns.com/foaf/0.1/name': 'Kansai Cell Works K.K.',
      'http://www.w3.org/ns/adms#identifier': [
        {
          '@type': 'http://www.w3.org/ns/adms#Identifier',
          'http://www.w3.org/2004/02/skos/core#notation': '4120001077501',
          'http://www.w3.org/ns/adms#schemaAgency': 'National Tax Agency Japan (corporate number)',
        },
        {
          '@type': 'http://www.w3.org/ns/adms#Identifier',
          'http://www.w3.org/2004/02/skos/core#notation': 'BPNL00000003CRHK',
          'http://www.w3.org/ns/adms#schemaAgency': 'Catena-X (Business Partner Number)',
        },
      ],
    });
    expect(old).not.toHaveProperty('dct:description');
  });

  it('offers use for the allowed purposes only, inside the residency country', () => {
    const offer = offerOf(cfp);
    expect(offer).toMatchObject({
      '@id': 'https://registry.renkei.example/contracts/battery.cfp/versions/1.2.0#offer',
      '@type': 'Offer',
      assigner: 'https://registry.renkei.example/participants/0b6f3c1e-2a4d-4f5e-8a9b-1c2d3e4f5a6b',
    });
    expect(offer).not.toHaveProperty('target'); // DSP: an Offer inside a Dataset has no target
    expect(offer.permission).toEqual([
      {
        action: 'use',
        constraint: [
          {
            leftOperand: 'odrl:purpose',
            operator: 'isAnyOf',
            rightOperand: ['cfp-disclosure', 'due-diligence'],
          },
          { leftOperand: 'odrl:spatial', operator: 'eq', rightOperand: 'JP' },
        ],
      },
    ]);
  });

  it('prohibits using a resident field outside its country', () => {
    expect(offerOf(cfp).prohibition).toEqual([
      {
        action: 'use',
        target:
          'https://registry.renkei.example/contracts/battery.cfp/versions/1.2.0#/schema/properties/plantId',
        constraint: [{ leftOperand: 'odrl:spatial', operator: 'neq', rightOperand: 'JP' }],
      },
    ]);
  });

  it('obliges deletion after the retention period', () => {
    expect(offerOf(cfp).obligation).toEqual([
      {
        action: 'odrl:delete',
        constraint: [
          {
            leftOperand: 'odrl:elapsedTime',
            operator: 'lteq',
            rightOperand: { '@value': 'P365D', '@type': 'xsd:duration' },
          },
        ],
      },
    ]);
  });

  it('has no residency constraint, prohibition or obligation when the terms set none', () => {
    const offer = offerOf(old);
    expect(offer.permission).toEqual([
      {
        action: 'use',
        constraint: [
          { leftOperand: 'odrl:purpose', operator: 'isAnyOf', rightOperand: ['delivery-planning'] },
        ],
        duty: [
          {
            action: 'odrl:obtainConsent',
            'odrl:consentingParty': {
              '@id': 'https://registry.renkei.example/participants/f0e1d2c3-b4a5-4697-8877-665544332211',
            },
          },
        ],
      },
    ]);
    expect(offer).not.toHaveProperty('prohibition');
    expect(offer).not.toHaveProperty('obligation');
  });

  it('shows a received dataset’s lineage to the external agreement as dct:source, and none otherwise', () => {
    const source = { agreementId: 'agreement-42', provider: 'peer-1', dataset: 'urn:edc:dataset:cfp' };
    const received = dcatCatalog([{ ...battery, terms: { ...battery.terms, source } }], {
      catalogId: 'urn:renkei:catalog',
      registryUrl,
      exchangeUrl,
    }).dataset as Node[];
    expect(received[0]!['dct:source']).toEqual({
      'dct:identifier': 'urn:edc:dataset:cfp',
      'dct:publisher': { '@id': 'https://registry.renkei.example/participants/peer-1' },
      'https://registry.renkei.example/vocab#agreement': 'agreement-42',
    });
    expect(cfp['dct:source']).toBeUndefined();
  });

  it('says who approves: consent of the owner by default, none with policy approval', () => {
    // Terms without `approval` are the originator's to approve (the registry's default).
    const duties = (dataset: Node) =>
      ((offerOf(dataset).permission as Node[])[0] as Node).duty as Node[] | undefined;
    expect(duties(old)).toEqual([
      expect.objectContaining({
        action: 'odrl:obtainConsent',
        'odrl:consentingParty': { '@id': (old['dct:publisher'] as Node)['@id'] },
      }),
    ]);
    expect(duties(cfp)).toBeUndefined();
    expect(old['https://registry.renkei.example/vocab#approval']).toBe('originator');
    expect(cfp['https://registry.renkei.example/vocab#approval']).toBe('policy');
    const [explicit] = dcatCatalog([{ ...legacy, terms: { ...legacy.terms, approval: 'originator' } }], {
      catalogId: 'urn:renkei:catalog',
      registryUrl,
      exchangeUrl,
    }).dataset as Node[];
    expect(duties(explicit as Node)).toEqual(duties(old));
  });

  it('distributes through the exchange as NDJSON', () => {
    expect(cfp.distribution).toEqual([
      {
        '@type': 'Distribution',
        format: 'application/x-ndjson',
        'dcat:accessURL': { '@id': 'https://exchange.renkei.example/datasets/battery.cfp/stream' },
        accessService: {
          '@id': 'https://exchange.renkei.example',
          '@type': 'DataService',
          endpointURL: 'https://exchange.renkei.example',
          'dct:title': 'Renkei exchange',
        },
      },
    ]);
  });

  it('marks deprecated contracts with adms:status Deprecated', () => {
    expect(old[ADMS_STATUS]).toEqual({ '@id': 'http://purl.org/adms/status/Deprecated' });
    expect(old['dct:publisher']).not.toHaveProperty(['http://www.w3.org/ns/adms#identifier']);
  });

  it('maps every contract status, and falls back to the registry URL as participant id', () => {
    const statuses = (['draft', 'active', 'deprecated', 'retired'] as const).map((status) => {
      const [dataset] = dcatCatalog([{ ...legacy, terms: { ...legacy.terms, status } }], {
        catalogId: 'urn:renkei:catalog',
        registryUrl: `${registryUrl}/`,
        exchangeUrl,
      }).dataset as Node[];
      return (dataset?.[ADMS_STATUS] as Node)['@id'];
    });
    expect(statuses).toEqual([
      'http://purl.org/adms/status/UnderDevelopment',
      'http://purl.org/adms/status/Completed',
      'http://purl.org/adms/status/Deprecated',
      'http://purl.org/adms/status/Withdrawn',
    ]);
    const empty = dcatCatalog([], { catalogId: 'urn:renkei:catalog', registryUrl, exchangeUrl });
    expect(empty.participantId).toBe(registryUrl);
    expect(empty.dataset).toEqual([]);
  });

  it('does not publish who is invited', () => {
    const invited = dcatCatalog(
      [
        {
          ...legacy,
          terms: {
            ...legacy.terms,
            visibility: 'invited',
            invited: ['a1b2c3d4-0000-4000-8000-000000000001'],
          },
        },
      ],
      { catalogId: 'urn:renkei:catalog', registryUrl, exchangeUrl },
    );
    expect(JSON.stringify(invited)).not.toContain('a1b2c3d4-0000-4000-8000-000000000001');
  });
});
