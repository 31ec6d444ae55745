import { z } from 'zod';
import { CLIENT_ASSERTION_TYPE } from '@renkei/auth';
import { DatasetId } from '@renkei/domain';

/** RFC 6749 §4.4 client credentials with an RFC 7523 client assertion (form-encoded or JSON). */
export const TokenRequestSchema = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().optional(),
  client_assertion_type: z.literal(CLIENT_ASSERTION_TYPE),
  client_assertion: z.string().min(10).max(8192),
  scope: z.string().max(1000).optional(),
});
export type TokenRequest = z.infer<typeof TokenRequestSchema>;

export const DatasetTokenRequestSchema = z.object({
  dataset: DatasetId,
  action: z.enum(['publish', 'subscribe']),
  grantId: z.uuid().optional().describe('Required to subscribe: the grant you hold'),
});
export type DatasetTokenRequest = z.infer<typeof DatasetTokenRequestSchema>;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

// ------------------------------------------------------------------ responses (OpenAPI)

export { JwksSchema } from '../core/jwks.dto.js';

export const TokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  scope: z.string(),
});
