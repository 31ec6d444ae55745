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
    .transform((s) => s.split(',').map((b) => b.trim()))
    .describe('Kafka bootstrap brokers, comma-separated host:port'),
  HOST: z.string().default('127.0.0.1').describe('Address the service listens on (0.0.0.0: every interface)'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Least severe log level written (pino JSON lines on stdout)'),
  POLICY_DIR: z
    .string()
    .default('policies/build')
    .describe('Where the compiled policy bundle (policy.wasm) is'),
  CLEARING_URL: z
    .string()
    .url()
    .default('http://127.0.0.1:3002')
    .describe("Clearing's base URL, for calls to it"),
  TOKEN_ISSUER: z
    .string()
    .default('urn:renkei:clearing')
    .describe("The issuer (iss) of clearing's tokens, which every service checks"),
  TOPIC_PREFIX: TopicPrefix.default('renkei').describe('Prefix of every Kafka topic and consumer group name'),
  // How the platform creates its topics (ADR 0032). The defaults suit one broker; a replicated cluster
  // takes 3 and 2 (scripts/kafka-cluster.sh). Existing topics are not changed.
  KAFKA_REPLICATION_FACTOR: z.coerce
    .number()
    .int()
    .min(1)
    .max(7)
    .default(1)
    .describe(
      'Replicas of each topic the platform creates (3 on a replicated cluster; existing topics unchanged)',
    ),
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7)
    .default(1)
    .describe('min.insync.replicas of the topics the platform creates (2 on a 3-broker cluster)'),
  // Data topics are kept forever: the CPS twin replays its inputs from the start of their topics.
  KAFKA_DATA_RETENTION_MS: retentionMs(-1).describe(
    'retention.ms of data topics: -1 (forever; the CPS twin replays them from the start) or at least an hour',
  ),
  KAFKA_DEAD_LETTER_RETENTION_MS: retentionMs(30 * 24 * HOUR_MS).describe(
    'retention.ms of dead-letter topics',
  ),
  KAFKA_AUDIT_RETENTION_MS: retentionMs(30 * 24 * HOUR_MS).describe(
    'retention.ms of the decision and refusal topics (clearing keeps the audit chain itself)',
  ),
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

/** One wrong setting: the variable's name and what is wrong with it. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Every wrong setting of `schema` in `env` (none: it parsed), with the parsed value when it did. */
export function configIssues<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): { data?: z.infer<S>; issues: ConfigIssue[] } {
  const parsed = schema.safeParse(env);
  if (!parsed.success)
    return {
      issues: parsed.error.issues.map((i) => ({
        path: i.path.join('.') || '(root)',
        // zod says "Invalid input: expected string, received undefined" for a variable that is not set.
        message:
          i.code === 'invalid_type' && /received undefined$/.test(i.message)
            ? 'not set (required)'
            : i.message,
      })),
    };
  return { data: parsed.data, issues: crossChecks(parsed.data) };
}

/** The error a service stops with: every wrong variable, one a line. */
export function invalidConfiguration(issues: ConfigIssue[]): Error {
  const seen = new Set<string>();
  const lines = issues
    .map((i) => `  ${i.path}: ${i.message}`)
    .filter((line) => (seen.has(line) ? false : (seen.add(line), true)));
  return new Error(
    `Invalid configuration:\n${lines.join('\n')}\nSet these environment variables and restart.`,
  );
}

/** Validates the environment at boot and fails with every wrong variable named, not just the first. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const { data, issues } = configIssues(schema, env);
  if (issues.length > 0) throw invalidConfiguration(issues);
  return data as z.infer<S>;
}

/**
 * With NODE_ENV=production a service has no development fallbacks: the settings it names here (secrets,
 * keys, the peers' public keys) must be given explicitly, even where the schema lets them be absent for the
 * demo and the tests. Returns the ones missing.
 */
export function productionIssues(
  required: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ConfigIssue[] {
  if (env.NODE_ENV !== 'production') return [];
  return required
    .filter((name) => (env[name] ?? '').trim() === '')
    .map((name) => ({ path: name, message: 'required with NODE_ENV=production (no development default)' }));
}

/**
 * How every service stops (runService): on SIGTERM or SIGINT it reports not ready, keeps serving for
 * SHUTDOWN_DRAIN_MS (so a load balancer takes it out of rotation), then ends its streams, finishes in-flight
 * requests, flushes and closes its clients, and exits 0 — or 1 if that took longer than SHUTDOWN_TIMEOUT_MS.
 */
export const shutdownConfigSchema = z.object({
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(600_000)
    .default(25_000)
    .describe(
      "Longest a graceful shutdown (SIGTERM/SIGINT) may take, drain included; past it the process exits 1. Keep it below the orchestrator's kill grace period (Kubernetes: 30 s)",
    ),
  SHUTDOWN_DRAIN_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(120_000)
    .default(0)
    .describe(
      'After a stop signal, how long the service keeps serving while it reports not ready, before it stops accepting requests (Kubernetes: a few seconds, so endpoints are updated first)',
    ),
});
export type ShutdownSettings = z.output<typeof shutdownConfigSchema>;
