import { z } from 'zod';
import { NegotiationStates } from '../core/dsp-messages.js';

const when = z.string().describe('ISO 8601 date-time');

export const ListNegotiationsSchema = z.object({
  side: z
    .enum(['provider', 'consumer'])
    .optional()
    .describe('provider: peers asking for your datasets; consumer: yours'),
  state: z.enum(NegotiationStates).optional(),
  dataset: z.string().max(512).optional().describe('Your dataset id (provider side) or the DSP dataset id'),
});
export type ListNegotiations = z.infer<typeof ListNegotiationsSchema>;

export const CreateNegotiationSchema = z.object({
  peer: z.uuid().describe('The provider connector: its participant id here'),
  connectorAddress: z
    .string()
    .url()
    .max(2048)
    .optional()
    .describe('Its DSP protocol URL; default: the address registered for the peer'),
  offerId: z.string().min(1).max(512).describe("The offer's @id in the provider's catalog"),
  datasetId: z
    .string()
    .min(1)
    .max(512)
    .describe("The dataset's @id in the provider's catalog (the offer's target)"),
  purpose: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('The purpose asked for (an odrl:purpose constraint in the request)'),
});
export type CreateNegotiation = z.infer<typeof CreateNegotiationSchema>;

export const AgreeSchema = z.object({
  finalize: z
    .enum(['on-verification', 'manual'])
    .default('on-verification')
    .describe(
      "on-verification: FINALIZED (grant live) follows the consumer's verification; manual: POST …/finalize",
    ),
});
export type Agree = z.infer<typeof AgreeSchema>;

export const TerminateSchema = z.object({ reason: z.string().max(500).nullable().default(null) });
export type Terminate = z.infer<typeof TerminateSchema>;

export const CounterOfferSchema = z.object({
  offer: z
    .looseObject({ '@id': z.string().min(1).max(512) })
    .optional()
    .describe("The counter-offer (an ODRL Offer with @id and target); default: the provider's last offer"),
});
export type CounterOffer = z.infer<typeof CounterOfferSchema>;

export const NegotiationSchema = z.object({
  id: z
    .uuid()
    .describe('Our pid: the provider pid on the provider side, the consumer pid on the consumer side'),
  side: z.enum(['provider', 'consumer']),
  state: z.enum(NegotiationStates),
  peer: z.uuid().describe("The peer connector's participant id"),
  member: z.uuid().describe('The originator (provider side) or the member on whose behalf (consumer side)'),
  grantId: z.uuid().nullable().describe('Provider side: the grant this negotiation is (the agreement id)'),
  dataset: z.string().nullable().describe('Provider side: the dataset'),
  datasetId: z.string().describe('The DSP dataset id'),
  offerId: z.string(),
  consumerPid: z.string(),
  providerPid: z.string().nullable().describe('Null on the consumer side until the provider has answered'),
  callbackAddress: z.string().describe('Where messages to the peer go'),
  offer: z.record(z.string(), z.unknown()).describe('The offer last made (ODRL, compact JSON-LD)'),
  agreement: z.record(z.string(), z.unknown()).nullable().describe('The agreement, once AGREED'),
  agreementId: z.string().nullable(),
  finalize: z.enum(['on-verification', 'manual']),
  createdAt: when,
  updatedAt: when,
});
export type NegotiationDto = z.output<typeof NegotiationSchema>;

export const negotiationExample: NegotiationDto = {
  id: '0b0e3f3c-7d0a-4b5e-9a55-6c1b2d3e4f50',
  side: 'provider',
  state: 'REQUESTED',
  peer: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
  member: '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
  grantId: '7c2d1e0f-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
  dataset: 'battery.cfp',
  datasetId: 'urn:renkei:dataset:battery.cfp:1.2.0',
  offerId: 'urn:renkei:offer:battery.cfp:1.2.0',
  consumerPid: 'urn:uuid:55ec0d94-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
  providerPid: '0b0e3f3c-7d0a-4b5e-9a55-6c1b2d3e4f50',
  callbackAddress: 'https://edc.partner.example/api/dsp',
  offer: {
    '@id': 'urn:renkei:offer:battery.cfp:1.2.0',
    '@type': 'Offer',
    target: 'urn:renkei:dataset:battery.cfp:1.2.0',
    permission: [{ action: 'use' }],
  },
  agreement: null,
  agreementId: null,
  finalize: 'on-verification',
  createdAt: '2026-12-02T14:00:00.000Z',
  updatedAt: '2026-12-02T14:00:00.000Z',
};

// ------------------------------------------------------------------ the protocol's answers (OpenAPI)

export const ContractNegotiationViewSchema = z.object({
  '@context': z.array(z.string()),
  '@type': z.literal('ContractNegotiation'),
  providerPid: z.string(),
  consumerPid: z.string(),
  state: z.enum(NegotiationStates),
});

export const contractNegotiationExample = {
  '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
  '@type': 'ContractNegotiation' as const,
  providerPid: negotiationExample.id,
  consumerPid: negotiationExample.consumerPid,
  state: 'REQUESTED' as const,
};

/** A DSP message body as documented (JSON-LD, compacted against the DSP 2025-1 context). */
export const DspMessageBodySchema = z
  .looseObject({
    '@context': z.array(z.string()),
    '@type': z.string(),
    providerPid: z.string().optional(),
    consumerPid: z.string().optional(),
  })
  .describe('A DSP 2025-1 message (compact JSON-LD); see the Dataspace Protocol for each type');
