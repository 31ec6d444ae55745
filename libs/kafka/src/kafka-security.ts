import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { kafkaSecuritySchema, loadConfig, type KafkaSecurityConfig } from '@renkei/platform';

/** What a client needs to reach a secure broker: kafkajs's `ssl` and `sasl` options (ADR 0035). */
export type KafkaConnection = Pick<KafkaConfig, 'ssl' | 'sasl'>;

/**
 * kafkajs's TLS and SASL options from validated settings (baseConfigSchema's KAFKA_SSL* and KAFKA_SASL_*).
 * The password file is read here, at client creation, so the secret lives in the client only and never
 * in the configuration object (which may be logged or dumped).
 */
export function kafkaConnection(config: KafkaSecurityConfig): KafkaConnection {
  const ssl = config.KAFKA_SSL
    ? config.KAFKA_SSL_CA_FILE
      ? { ca: [readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8')] }
      : true
    : undefined;
  if (config.KAFKA_SASL_MECHANISM === 'none') return ssl ? { ssl } : {};
  const password =
    config.KAFKA_SASL_PASSWORD ?? readFileSync(config.KAFKA_SASL_PASSWORD_FILE ?? '', 'utf8').trim();
  const sasl: SASLOptions = {
    mechanism: config.KAFKA_SASL_MECHANISM,
    username: config.KAFKA_SASL_USERNAME ?? '',
    password,
  };
  return ssl ? { ssl, sasl } : { sasl };
}

/**
 * The same from the environment, validated as at a service's boot: for tools, benchmarks and tests that
 * make their own clients (they run as whoever the environment names, e.g. admin in CI).
 */
export function kafkaConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaConnection {
  return kafkaConnection(loadConfig(kafkaSecuritySchema, env));
}
