import { z } from 'zod';
import type { JWK } from 'jose';
import { tlsConfigSchema } from '@renkei/platform';

/**
 * The cps-sim service is a participant like any other. An operator onboards it first (the consortium admin
 * registers a participant with the public part of its key), then starts it with that participant id and
 * the private key. Without them it still starts (health, docs) and answers every data call with
 * 503 CPS.NOT_CONFIGURED.
 */
export const cpsConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1').describe('Address the service listens on (0.0.0.0: every interface)'),
  PORT: z.coerce.number().int().default(3004).describe('Port the service listens on'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Least severe log level written (pino JSON lines on stdout)'),
  REGISTRY_URL: z.url().default('http://127.0.0.1:3001').describe("The registry's base URL, for calls to it"),
  CLEARING_URL: z.url().default('http://127.0.0.1:3002').describe("Clearing's base URL, for calls to it"),
  EXCHANGE_URL: z.url().default('http://127.0.0.1:3003').describe("The exchange's base URL, for calls to it"),
  TOKEN_ISSUER: z
    .string()
    .default('urn:renkei:clearing')
    .describe("The issuer (iss) of clearing's tokens, which every service checks"),
  CPS_CLIENT_ID: z
    .string()
    .min(1)
    .optional()
    .describe("The service's participant id, as returned when the consortium admin onboarded it"),
  CPS_PRIVATE_JWK: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      try {
        return JSON.parse(s) as JWK;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'a private JWK as JSON' });
        return z.NEVER;
      }
    })
    .describe('The private JWK whose public part was registered when the service was onboarded'),
  CPS_DATASETS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
    )
    .describe('Datasets to follow (comma list); more can be added with POST /inputs'),
  CPS_OPERATORS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean),
    )
    .describe(
      'Participant ids besides the service itself and the consortium admin that may use the HTTP API',
    ),
  CPS_GRANT_POLL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(2_000)
    .describe('How often the twin checks its grants for the datasets it follows'),
  // HTTPS and the CA its calls to the other services trust (ADR 0034).
  ...tlsConfigSchema.shape,
});
export type CpsConfig = z.infer<typeof cpsConfigSchema>;
