import { z } from 'zod';
import { baseConfigSchema } from '@renkei/platform';

export const exchangeConfigSchema = baseConfigSchema.omit({ DATABASE_URL: true }).extend({
  PORT: z.coerce.number().int().default(3003).describe('Port the service listens on'),
  PSEUDONYM_SECRET: z
    .string()
    .min(32, 'at least 32 characters of secret for keyed pseudonyms')
    .describe('Key of the keyed pseudonyms the pseudonymise obligation delivers (at least 32 characters)'),
  DATA_PARTITIONS: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(3)
    .describe('Partitions of each data topic the exchange creates'),
  SERVICE_KEY: z
    .string()
    .optional()
    .describe("The exchange's private ES256 JWK: it authenticates to clearing for data keys"),
});
export type ExchangeConfig = z.infer<typeof exchangeConfigSchema>;

/** Without a service key, contracts with encrypted fields cannot be published: fine for a demo only. */
export const exchangeRequiredInProduction = ['PSEUDONYM_SECRET', 'SERVICE_KEY'] as const;
