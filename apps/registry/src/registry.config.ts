import { z } from 'zod';
import { baseConfigSchema, servedScheme, type TlsSettings } from '@renkei/platform';
import { DEFAULT_SCHEMA_WORK } from './contracts/schema-work.js';

export const registryConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().default(3001).describe('Port the service listens on'),
  PUBLIC_URL: z
    .url()
    .optional()
    .describe(
      'The registry as other data spaces reach it (default: http(s)://<HOST, or 127.0.0.1 for 0.0.0.0>:<PORT>)',
    ),
  EXCHANGE_PUBLIC_URL: z
    .url()
    .default('http://127.0.0.1:3003')
    .describe("The exchange's public URL, as links in contract documents name it"),
  SCHEMA_CHECK_BUDGET_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_SCHEMA_WORK.budgetMs)
    .describe('Running time one schema check / compilation / ODCS import may take (docs/security/redos.md)'),
  SCHEMA_CHECK_QUEUE_WAIT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_SCHEMA_WORK.queueWaitMs)
    .describe('Longest a schema check waits for a worker thread before it is refused (503)'),
  SCHEMA_CHECK_THREADS: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_SCHEMA_WORK.threads)
    .describe('Worker threads for schema checks (each can be stopped when over budget)'),
  SCHEMA_CHECK_QUEUE: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(DEFAULT_SCHEMA_WORK.maxQueue)
    .describe('Schema checks that may wait for a worker; beyond it they are refused at once (503)'),
});
export type RegistryConfig = z.infer<typeof registryConfigSchema>;

/** The registry's own base URL for links; a wildcard listen address (0.0.0.0, ::) is not one anyone can reach. */
export function registryUrl(
  config: Pick<RegistryConfig, 'PUBLIC_URL' | 'HOST' | 'PORT'> & Partial<TlsSettings>,
): string {
  return config.PUBLIC_URL ?? `${servedScheme(config)}://${localHost(config.HOST)}:${config.PORT}`;
}

function localHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]' || host === '') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
