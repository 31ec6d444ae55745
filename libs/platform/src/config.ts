import { z } from 'zod';
import { TopicPrefix } from '@renkei/domain';

/** Settings every service shares; each service extends this schema with its own. */
export const baseConfigSchema = z.object({
  DATABASE_URL: z
    .string()
    .url()
    .describe('PostgreSQL URL, e.g. postgresql://user:pass@127.0.0.1:5432/renkei'),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) => s.split(',').map((b) => b.trim())),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  POLICY_DIR: z.string().default('policies/build'),
  CLEARING_URL: z.string().url().default('http://127.0.0.1:3002'),
  TOKEN_ISSUER: z.string().default('urn:renkei:clearing'),
  TOPIC_PREFIX: TopicPrefix.default('renkei'),
});

/** Validates the environment at boot and fails with every wrong variable named, not just the first. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(
      `Invalid configuration:\n${lines.join('\n')}\nSet these environment variables and restart.`,
    );
  }
  return parsed.data;
}
