import { accessSync, constants, readFileSync } from 'node:fs';
import { z } from 'zod';
import { TopicPrefix } from '@renkei/domain';
import { tlsConfigSchema, tlsIssues, type TlsSettings } from './tls.js';

const HOUR_MS = 60 * 60 * 1000;
/** A topic's retention.ms: -1 (forever) or at least an hour (a typo in units must not drop data). */
const retentionMs = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .refine((ms) => ms === -1 || ms >= HOUR_MS, 'retention.ms: -1 (forever) or at least 3600000 (an hour)')
    .default(fallback);

/**
 * How a Kafka client reaches the brokers (docs/operations.md, "Kafka security"; ADR 0035). The defaults are
 * a plaintext listener without login; a secure broker (scripts/kafka.sh with KAFKA_SECURITY=sasl_ssl) takes
 * TLS and SCRAM, with each service logging in as its own principal. Checked across fields in loadConfig.
 */
export const kafkaSecurityFields = {
  KAFKA_SSL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Connect to the brokers over TLS (true|false)'),
  KAFKA_SSL_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe("PEM file of the CA the brokers' certificates are checked against (default: the system CAs)"),
  KAFKA_SASL_MECHANISM: z
    .enum(['scram-sha-512', 'scram-sha-256', 'none'])
    .default('none')
    .describe('SASL login to the brokers: scram-sha-512, scram-sha-256 or none'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional().describe("The service's Kafka principal, e.g. exchange"),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional().describe('Its password (or KAFKA_SASL_PASSWORD_FILE)'),
  KAFKA_SASL_PASSWORD_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('A file holding the password (a mounted secret), instead of KAFKA_SASL_PASSWORD'),
};
export const kafkaSecuritySchema = z.object(kafkaSecurityFields);
export type KafkaSecurityConfig = z.infer<typeof kafkaSecuritySchema>;

/** Settings every service shares; each service extends this schema with its own. */
export const baseConfigSchema = z.object({
  ...kafkaSecurityFields,
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
  // How the platform creates its topics (ADR 0032). The defaults suit one broker; a replicated cluster
  // takes 3 and 2 (scripts/kafka-cluster.sh). Existing topics are not changed.
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(1),
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(7).default(1),
  // Data topics are kept forever: the CPS twin replays its inputs from the start of their topics.
  KAFKA_DATA_RETENTION_MS: retentionMs(-1),
  KAFKA_DEAD_LETTER_RETENTION_MS: retentionMs(30 * 24 * HOUR_MS),
  KAFKA_AUDIT_RETENTION_MS: retentionMs(30 * 24 * HOUR_MS),
  // HTTPS (ADR 0034): TLS_CERT_FILE and TLS_KEY_FILE, and the CA outgoing calls trust (TLS_CA_FILE).
  ...tlsConfigSchema.shape,
});

const unreadable = (file: string): string | null => {
  try {
    accessSync(file, constants.R_OK);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'unreadable';
  }
};

/** The Kafka login settings together: a mechanism needs a user and exactly one password source. */
function kafkaSecurityChecks(d: Partial<KafkaSecurityConfig>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (d.KAFKA_SSL_CA_FILE !== undefined) {
    const why = unreadable(d.KAFKA_SSL_CA_FILE);
    if (why)
      issues.push({ path: 'KAFKA_SSL_CA_FILE', message: `${d.KAFKA_SSL_CA_FILE} cannot be read (${why})` });
    else if (d.KAFKA_SSL === false)
      issues.push({
        path: 'KAFKA_SSL_CA_FILE',
        message: 'is set but KAFKA_SSL is not true: set KAFKA_SSL=true',
      });
  }
  if (d.KAFKA_SASL_MECHANISM === undefined || d.KAFKA_SASL_MECHANISM === 'none') {
    for (const path of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const)
      if (d[path] !== undefined)
        issues.push({ path, message: 'is set but KAFKA_SASL_MECHANISM is none: set the mechanism too' });
    return issues;
  }
  if (d.KAFKA_SASL_USERNAME === undefined)
    issues.push({
      path: 'KAFKA_SASL_USERNAME',
      message: `required with KAFKA_SASL_MECHANISM=${d.KAFKA_SASL_MECHANISM}`,
    });
  if ((d.KAFKA_SASL_PASSWORD === undefined) === (d.KAFKA_SASL_PASSWORD_FILE === undefined))
    issues.push({
      path: 'KAFKA_SASL_PASSWORD',
      message: `exactly one of KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE is required with KAFKA_SASL_MECHANISM=${d.KAFKA_SASL_MECHANISM}`,
    });
  else if (d.KAFKA_SASL_PASSWORD_FILE !== undefined) {
    const why = unreadable(d.KAFKA_SASL_PASSWORD_FILE);
    if (why)
      issues.push({
        path: 'KAFKA_SASL_PASSWORD_FILE',
        message: `${d.KAFKA_SASL_PASSWORD_FILE} cannot be read (${why})`,
      });
    else if (readFileSync(d.KAFKA_SASL_PASSWORD_FILE, 'utf8').trim() === '')
      issues.push({ path: 'KAFKA_SASL_PASSWORD_FILE', message: `${d.KAFKA_SASL_PASSWORD_FILE} is empty` });
  }
  return issues;
}

/** Rules across settings, checked after each one parsed (a service's schema may omit either). */
function crossChecks(data: unknown): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = kafkaSecurityChecks(
    data as Partial<KafkaSecurityConfig>,
  );
  const d = data as { KAFKA_REPLICATION_FACTOR?: number; KAFKA_MIN_INSYNC_REPLICAS?: number };
  if (
    d.KAFKA_REPLICATION_FACTOR !== undefined &&
    d.KAFKA_MIN_INSYNC_REPLICAS !== undefined &&
    d.KAFKA_MIN_INSYNC_REPLICAS > d.KAFKA_REPLICATION_FACTOR
  )
    issues.push({
      path: 'KAFKA_MIN_INSYNC_REPLICAS',
      message: `${d.KAFKA_MIN_INSYNC_REPLICAS} exceeds KAFKA_REPLICATION_FACTOR (${d.KAFKA_REPLICATION_FACTOR}): no acks=all write could ever succeed`,
    });
  issues.push(...tlsIssues(data as Partial<TlsSettings>));
  return issues;
}

/** Validates the environment at boot and fails with every wrong variable named, not just the first. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  const issues = parsed.success
    ? crossChecks(parsed.data)
    : parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  if (!parsed.success || issues.length > 0) {
    const lines = issues.map((i) => `  ${i.path}: ${i.message}`);
    throw new Error(
      `Invalid configuration:\n${lines.join('\n')}\nSet these environment variables and restart.`,
    );
  }
  return parsed.data;
}
