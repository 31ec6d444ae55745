import { z } from 'zod';

/**
 * A public key set (RFC 7517): never any private member. Answered by the token JWKS (tokens/) and the
 * checkpoint JWKS (audit/); here so that neither feature imports the other for it.
 */
export const JwksSchema = z.object({
  keys: z.array(
    z
      .object({ kty: z.string(), kid: z.string(), alg: z.string().optional(), use: z.string().optional() })
      .catchall(z.unknown()),
  ),
});
