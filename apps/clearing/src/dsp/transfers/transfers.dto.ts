import { z } from 'zod';
import { DatasetId, TransferStates } from '@renkei/domain';
import { TRANSFER_FORMATS } from '@renkei/contracts';

const Uuid = z.uuid();
const Url = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

// ------------------------------------------------------------------ requests

/** A member asks a peer connector for a transfer under an agreement it negotiated there (consumer side). */
export const CreateTransferSchema = z.object({
  peer: Uuid.describe('The peer connector (its participant id here), registered with POST /connector/peers'),
  connectorAddress: Url.optional().describe(
    "The peer's DSP protocol URL; default: the address it is registered with",
  ),
  agreementId: z
    .string()
    .min(1)
    .max(512)
    .describe("The agreement's @id, as the peer's agreement message named it"),
  format: z
    .string()
    .min(1)
    .max(200)
    .describe(
      `A format the peer offers in the dataset's distribution (Renkei offers ${TRANSFER_FORMATS.join(', ')})`,
    ),
  into: DatasetId.optional().describe(
    'A dataset you registered here whose contract names this agreement as its `source`: every event received is published into it through the exchange',
  ),
});
export type CreateTransfer = z.infer<typeof CreateTransferSchema>;

export const TransferActionSchema = z.object({
  reason: z
    .string()
    .max(500)
    .nullable()
    .default(null)
    .describe('Sent to the peer as the reason (suspend, terminate)'),
});
export type TransferAction = z.infer<typeof TransferActionSchema>;

export const ListTransfersSchema = z.object({
  side: z.enum(['provider', 'consumer']).optional(),
  grantId: Uuid.optional(),
  state: z.enum(TransferStates).optional(),
});
export type ListTransfers = z.infer<typeof ListTransfersSchema>;

// ------------------------------------------------------------------ responses

export const TransferSchema = z.object({
  id: Uuid.describe('Our pid: the provider pid on the provider side, the consumer pid on the consumer side'),
  side: z.enum(['provider', 'consumer']),
  state: z.enum(TransferStates),
  peer: z.string().describe("The peer connector's participant id"),
  member: z.string().describe('Provider side: the originator; consumer side: the member on whose behalf'),
  grantId: z.string().nullable().describe('Provider side: the grant (= the agreement)'),
  agreementId: z.string(),
  consumerPid: z.string(),
  providerPid: z.string().nullable(),
  format: z.string(),
  callbackAddress: z.string().describe("Where this side's messages go: the peer's protocol URL"),
  suspendedBy: z.enum(['provider', 'consumer']).nullable(),
  into: z.string().nullable().describe('Consumer side: the dataset received events are published into'),
  dataAddress: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe(
      "Consumer side, once started: the provider's data address (endpoint and token), shown to the member only",
    ),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TransferDto = z.infer<typeof TransferSchema>;

export const transferExample: TransferDto = {
  id: '0b9d8c7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e',
  side: 'provider',
  state: 'STARTED',
  peer: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
  member: '3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10',
  grantId: '7c2d1e0f-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
  agreementId: '7c2d1e0f-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
  consumerPid: 'urn:uuid:5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
  providerPid: '0b9d8c7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e',
  format: 'Renkei-NDJSON-STREAM',
  callbackAddress: 'https://edc.example.com/api/dsp',
  suspendedBy: null,
  into: null,
  dataAddress: null,
  createdAt: '2026-12-02T17:00:00.000Z',
  updatedAt: '2026-12-02T17:00:01.000Z',
};

/** The DSP `TransferProcess` (answer to a request and to GET /dsp/transfers/{pid}). */
export const TransferProcessSchema = z.object({
  '@context': z.array(z.string()),
  '@type': z.literal('TransferProcess'),
  providerPid: z.string(),
  consumerPid: z.string(),
  state: z.enum(TransferStates),
});

export const transferProcessExample = {
  '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
  '@type': 'TransferProcess',
  providerPid: '0b9d8c7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e',
  consumerPid: 'urn:uuid:5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
  state: 'REQUESTED',
};

/** The DSP `TransferError` (every refusal of a /dsp/transfers route). */
export const TransferErrorSchema = z.object({
  '@context': z.array(z.string()),
  '@type': z.literal('TransferError'),
  providerPid: z.string(),
  consumerPid: z.string(),
  code: z.string(),
  reason: z.array(z.string()),
});
