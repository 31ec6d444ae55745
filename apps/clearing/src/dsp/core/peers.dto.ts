import { z } from 'zod';

export const RegisterPeerSchema = z.object({
  participantId: z
    .uuid()
    .describe("The peer connector's participant id here (it was onboarded with its own key)"),
  address: z
    .string()
    .url()
    .max(2048)
    .describe('Its DSP protocol URL (the root of its /negotiations, /transfers)'),
  tokenUrl: z
    .string()
    .url()
    .max(2048)
    .nullable()
    .default(null)
    .describe(
      'Its OAuth token endpoint: clearing signs an RFC 7523 assertion there with its connector key; null: calls carry no token',
    ),
  remoteParticipantId: z
    .string()
    .min(1)
    .max(512)
    .nullable()
    .default(null)
    .describe('Who this Renkei is at the peer (iss and sub of the assertion); required with tokenUrl'),
});
export type RegisterPeer = z.infer<typeof RegisterPeerSchema>;

export const PeerSchema = z.object({
  participantId: z.uuid(),
  address: z.string(),
  tokenUrl: z.string().nullable(),
  remoteParticipantId: z.string().nullable(),
  createdAt: z.string().describe('ISO 8601 date-time'),
  updatedAt: z.string().describe('ISO 8601 date-time'),
});
export type PeerDto = z.output<typeof PeerSchema>;

export const peerExample: PeerDto = {
  participantId: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
  address: 'https://edc.partner.example/api/dsp',
  tokenUrl: 'https://auth.partner.example/oauth/token',
  remoteParticipantId: 'BPNL000000000RNK',
  createdAt: '2026-12-02T14:00:00.000Z',
  updatedAt: '2026-12-02T14:00:00.000Z',
};

export const ConnectorKeySchema = z.object({
  keys: z
    .array(z.record(z.string(), z.unknown()))
    .describe('The connector public key (JWKS); empty when none is configured'),
});
