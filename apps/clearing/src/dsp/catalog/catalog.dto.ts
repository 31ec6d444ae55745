import { z } from 'zod';
import { DSP_CONTEXT, TRANSFER_FORMATS } from '@renkei/contracts';
import { dspType } from '../core/dsp-messages.js';

/**
 * A CatalogRequestMessage (DSP 2025-1 catalog-request-message-schema.json). `filter` is accepted and
 * bounded, and not applied: the DSP leaves its meaning to the connector, and the catalog is the peer's view
 * of every dataset it may see (paged).
 */
export const CatalogRequestMessageSchema = z.looseObject({
  '@context': z.unknown().optional(),
  '@type': dspType('CatalogRequestMessage'),
  filter: z.array(z.unknown()).max(16).optional(),
});
export type CatalogRequestMessage = z.infer<typeof CatalogRequestMessageSchema>;

/** `?cursor=` of the next page (the Link header names it): an opaque token this catalog issued. */
export const CatalogPageQuerySchema = z.object({
  cursor: z
    .string()
    .max(200)
    .optional()
    .describe('From the `Link: <...>; rel="next"` header of the previous page'),
});

const Ref = z.looseObject({ '@id': z.string() });
const DataServiceSchema = z.looseObject({
  '@id': z.string(),
  '@type': z.literal('DataService'),
  endpointURL: z.string(),
});

/** A DSP Dataset (dataset-schema.json), as Renkei writes it: the frame fixed here, the vocabulary DCAT's. */
export const DspDatasetSchema = z.looseObject({
  '@id': z.string().describe('urn:renkei:dataset:<dataset>:<version>'),
  '@type': z.literal('Dataset'),
  hasPolicy: z.array(
    z.looseObject({
      '@id': z.string().describe('urn:renkei:offer:<dataset>:<version>'),
      '@type': z.literal('Offer'),
      permission: z.array(z.looseObject({ action: z.string() })),
    }),
  ),
  distribution: z.array(
    z.looseObject({
      '@type': z.literal('Distribution'),
      format: z.enum(TRANSFER_FORMATS).describe('The transfer format a TransferRequestMessage names'),
      'dcat:accessURL': Ref.describe('Where a started transfer reads (the exchange), with its token'),
      accessService: DataServiceSchema.describe('The connector: negotiate and transfer through it'),
    }),
  ),
  'dct:publisher': Ref.optional(),
});

export const DspDatasetDocumentSchema = DspDatasetSchema.extend({
  '@context': z.array(z.literal(DSP_CONTEXT)),
});

export const DspCatalogSchema = z.looseObject({
  '@context': z.array(z.literal(DSP_CONTEXT)),
  '@id': z.string(),
  '@type': z.literal('Catalog'),
  participantId: z.string().describe("This connector's DSP participant id"),
  service: z.array(DataServiceSchema),
  dataset: z.array(DspDatasetSchema).optional().describe('Absent when the peer may see no dataset'),
});

export const CatalogErrorSchema = z.looseObject({
  '@context': z.array(z.literal(DSP_CONTEXT)),
  '@type': z.literal('CatalogError'),
  code: z.string().describe('The platform error code, e.g. CONTRACT.NOT_FOUND'),
  reason: z.array(z.string()),
});

const service = {
  '@id': 'https://clearing.renkei.example/dsp',
  '@type': 'DataService',
  endpointURL: 'https://clearing.renkei.example/dsp',
  'dct:title': 'Renkei connector (Dataspace Protocol 2025-1)',
};

export const catalogRequestExample = {
  '@context': [DSP_CONTEXT],
  '@type': 'CatalogRequestMessage',
};

export const datasetExample = {
  '@id': 'urn:renkei:dataset:battery.cfp:1.0.0',
  '@type': 'Dataset',
  'dct:identifier': 'battery.cfp',
  'dct:title': 'Battery cell carbon footprint',
  'dct:publisher': {
    '@id': 'https://registry.renkei.example/participants/3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
    '@type': 'http://xmlns.com/foaf/0.1/Organization',
    'http://xmlns.com/foaf/0.1/name': 'Kansai Cell Works K.K.',
  },
  'dcat:keyword': ['supply-chain', 'competitive', 'cooperative'],
  'dcat:version': '1.0.0',
  'dct:conformsTo': { '@id': 'https://registry.renkei.example/contracts/battery.cfp/versions/1.0.0' },
  'dct:isVersionOf': { '@id': 'https://registry.renkei.example/contracts/battery.cfp' },
  'http://www.w3.org/ns/adms#status': { '@id': 'http://purl.org/adms/status/Completed' },
  'https://registry.renkei.example/vocab#sensitivity': 'confidential',
  'https://registry.renkei.example/vocab#minimumProtection': 'access-control',
  'https://registry.renkei.example/vocab#approval': 'originator',
  hasPolicy: [
    {
      '@id': 'urn:renkei:offer:battery.cfp:1.0.0',
      '@type': 'Offer',
      assigner: 'https://registry.renkei.example/participants/3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
      permission: [
        {
          action: 'use',
          constraint: [
            { leftOperand: 'odrl:purpose', operator: 'isAnyOf', rightOperand: ['cfp-disclosure'] },
          ],
          duty: [
            {
              action: 'odrl:obtainConsent',
              'odrl:consentingParty': {
                '@id': 'https://registry.renkei.example/participants/3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
              },
            },
          ],
        },
      ],
      obligation: [
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
      ],
    },
  ],
  distribution: [
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
  ],
};

export const catalogExample = {
  '@context': [DSP_CONTEXT],
  '@id': 'https://clearing.renkei.example/dsp/catalog',
  '@type': 'Catalog',
  participantId: 'urn:renkei:clearing',
  'dct:title': 'Renkei consortium catalog',
  service: [service],
  dataset: [datasetExample],
};

export const catalogErrorExample = {
  '@context': [DSP_CONTEXT],
  '@type': 'CatalogError',
  type: 'urn:renkei:error:CONTRACT.NOT_FOUND',
  title: 'CONTRACT.NOT_FOUND',
  status: 404,
  code: 'CONTRACT.NOT_FOUND',
  detail: 'No such dataset in this catalog',
  hint: 'Take dataset ids from the catalog (POST /dsp/catalog/request)',
  reason: [
    'No such dataset in this catalog',
    'Take dataset ids from the catalog (POST /dsp/catalog/request)',
  ],
  instance: '/dsp/catalog/datasets/urn:renkei:dataset:battery.soh:1.0.0',
};
