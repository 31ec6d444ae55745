import { z } from 'zod';
import { tlsConfigSchema } from '@renkei/platform';

/**
 * The console server's environment (validated at boot like every service's: a wrong or missing setting
 * stops it with each one named). It holds no secrets: the browser signs in with the participant's own key.
 */
export const consoleConfigSchema = z.object({
  HOST: z.string().default('127.0.0.1').describe('Address the service listens on (0.0.0.0: every interface)'),
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000).describe('Port the service listens on'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('warn')
    .describe('Least severe log level written (pino JSON lines on stdout)'),
  REGISTRY_URL: z
    .url()
    .default('http://127.0.0.1:3001')
    .describe("The registry's base URL, for calls to it (the console forwards /api/registry there)"),
  CLEARING_URL: z
    .url()
    .default('http://127.0.0.1:3002')
    .describe("Clearing's base URL, for calls to it (the console forwards /api/clearing there)"),
  EXCHANGE_URL: z
    .url()
    .default('http://127.0.0.1:3003')
    .describe("The exchange's base URL, for calls to it (the console forwards /api/exchange there)"),
  CPS_SIM_URL: z
    .url()
    .default('http://127.0.0.1:3004')
    .describe("The CPS twin's base URL (the console forwards /api/cps-sim there)"),
  CONSOLE_ROOT: z
    .string()
    .optional()
    .describe('The built single-page app (default: dist/console next to the server)'),
  // HTTPS, and the CA its forwarding to the services trusts (ADR 0034).
  ...tlsConfigSchema.shape,
});
export type ConsoleConfig = z.output<typeof consoleConfigSchema>;
