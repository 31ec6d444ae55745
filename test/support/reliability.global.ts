/**
 * The reliability tests' own broker and database server (see private-infra.ts): started once for the
 * project, stopped at the end, never shared with the other suites.
 */
import { privateKafka, privatePostgres } from './private-infra.js';

export default function setup(): () => void {
  const started = Date.now();
  privateKafka.start();
  privatePostgres.start();
  process.stdout.write(`[reliability] private Kafka and PostgreSQL up in ${Date.now() - started} ms\n`);
  return () => {
    privatePostgres.stop();
    privateKafka.stop();
  };
}
