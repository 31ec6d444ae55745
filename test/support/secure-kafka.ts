/**
 * A Kafka broker with SASL_SSL and ACLs (scripts/kafka.sh, KAFKA_SECURITY=sasl_ssl) for the tests of
 * Kafka security (ADR 0035). When the run itself is secure (KAFKA_SASL_* name admin's login, as
 * scripts/test-all.sh exports with RENKEI_KAFKA_SECURITY=sasl_ssl), that broker is used; otherwise a
 * private one is started on the security tests' own ports and stopped afterwards (by its pid, through the
 * script). Passwords are read from their files, never printed.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { kafkaConnection, type KafkaConnection } from '@renkei/kafka';
import { repoRoot } from './private-infra.js';

/** Inside no other range: e2e and security files use 41xx-47xx and 5xxx, reliability 4441-4479. */
export const secureKafkaPorts = { kafka: 4490, controller: 4491 };

export interface SecureKafka {
  brokers: string;
  /** The environment a client (or a service) logging in as `principal` takes. */
  env(principal: string): Record<string, string>;
  /** kafkajs's ssl/sasl options for `principal` (password from its file unless given). */
  connection(principal: string, password?: string): KafkaConnection;
  /** TLS only, no login. */
  tlsOnly(): KafkaConnection;
  /** Stops the broker if this helper started it. */
  stop(): void;
}

function fromEnv(env: Record<string, string>, brokers: string, stop: () => void): SecureKafka {
  const dir = dirname(env.KAFKA_SASL_PASSWORD_FILE!);
  const envOf = (principal: string) => ({
    KAFKA_BROKERS: brokers,
    KAFKA_SSL: 'true',
    ...(env.KAFKA_SSL_CA_FILE ? { KAFKA_SSL_CA_FILE: env.KAFKA_SSL_CA_FILE } : {}),
    KAFKA_SASL_MECHANISM: env.KAFKA_SASL_MECHANISM!,
    KAFKA_SASL_USERNAME: principal,
    KAFKA_SASL_PASSWORD_FILE: join(dir, `${principal}.password`),
  });
  const configOf = (principal: string) => {
    const e = envOf(principal);
    return {
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: e.KAFKA_SSL_CA_FILE,
      KAFKA_SASL_MECHANISM: e.KAFKA_SASL_MECHANISM as 'scram-sha-512',
      KAFKA_SASL_USERNAME: principal,
      KAFKA_SASL_PASSWORD_FILE: e.KAFKA_SASL_PASSWORD_FILE,
    };
  };
  return {
    brokers,
    env: envOf,
    connection: (principal, password) =>
      kafkaConnection(
        password === undefined
          ? configOf(principal)
          : { ...configOf(principal), KAFKA_SASL_PASSWORD_FILE: undefined, KAFKA_SASL_PASSWORD: password },
      ),
    tlsOnly: () =>
      kafkaConnection({
        KAFKA_SSL: true,
        KAFKA_SSL_CA_FILE: configOf('admin').KAFKA_SSL_CA_FILE,
        KAFKA_SASL_MECHANISM: 'none',
      }),
    stop,
  };
}

/** The run's secure broker, or a private one started now (a few seconds). */
export function secureKafka(): SecureKafka {
  const env = process.env;
  if (env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_MECHANISM !== 'none' && env.KAFKA_SASL_PASSWORD_FILE)
    return fromEnv(env as Record<string, string>, env.KAFKA_BROKERS!, () => undefined);
  const scriptEnv = {
    ...process.env,
    KAFKA_SECURITY: 'sasl_ssl',
    KAFKA_PORT: String(secureKafkaPorts.kafka),
    KAFKA_CONTROLLER_PORT: String(secureKafkaPorts.controller),
    RENKEI_STATE_DIR: join(repoRoot, '.renkei/secure-kafka'),
  };
  const script = join(repoRoot, 'scripts/kafka.sh');
  execFileSync('bash', [script, 'start'], { env: scriptEnv, stdio: 'ignore' });
  const lines = execFileSync('bash', [script, 'env', 'admin'], { env: scriptEnv })
    .toString()
    .trim()
    .split('\n');
  const admin = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return fromEnv(admin, admin.KAFKA_BROKERS!, () =>
    execFileSync('bash', [script, 'stop'], { env: scriptEnv, stdio: 'ignore' }),
  );
}
