import { ensureTestCertificates, testTlsEnabled } from './tls.js';

/**
 * Integration and end-to-end tests need a real PostgreSQL and a real Kafka. Their addresses come from the
 * environment (scripts/test-all.sh starts both); without them the run fails loudly instead of faking them.
 * The local CA and server certificate the platforms serve HTTPS with are made here, once per run.
 */
export default function setup(): void {
  if (testTlsEnabled()) ensureTestCertificates();
  const missing = ['TEST_DATABASE_URL', 'KAFKA_BROKERS'].filter((v) => !process.env[v]);
  if (missing.length > 0) {
    throw new Error(
      `Missing ${missing.join(' and ')}: integration and e2e tests run against real PostgreSQL and Kafka.\n` +
        'Run the whole suite with `npm run test:all` (it installs and starts both), or start them with\n' +
        '`scripts/kafka.sh start && scripts/postgres.sh start` and export\n' +
        'TEST_DATABASE_URL=$(scripts/postgres.sh url) KAFKA_BROKERS=127.0.0.1:9092.',
    );
  }
}
