import { z } from 'zod';
import { baseConfigSchema } from '@renkei/platform';

export const exchangeConfigSchema = baseConfigSchema.omit({ DATABASE_URL: true }).extend({
  PORT: z.coerce.number().int().default(3003),
  PSEUDONYM_SECRET: z.string().min(32, 'at least 32 characters of secret for keyed pseudonyms'),
  DATA_PARTITIONS: z.coerce.number().int().min(1).max(64).default(3),
  SERVICE_KEY: z
    .string()
    .optional()
    .describe("The exchange's private ES256 JWK: it authenticates to clearing for data keys"),
});
export type ExchangeConfig = z.infer<typeof exchangeConfigSchema>;
