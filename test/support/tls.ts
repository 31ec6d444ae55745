/**
 * Loopback TLS for the tests (ADR 0034): the platforms the e2e, security, browser and reliability tests start
 * serve HTTPS with the local CA's certificate (scripts/certs.sh, in .renkei/tls), and the tests trust that CA.
 * RENKEI_TEST_TLS=0 runs them over plain HTTP (a quick look at a failure with curl, say).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tlsFiles, type PlatformTls } from './platform.js';

const root = new URL('../..', import.meta.url).pathname;
export const testTlsDir = join(root, '.renkei/tls');

export const testTlsEnabled = (): boolean => process.env.RENKEI_TEST_TLS !== '0';

/** Makes the local CA and the server certificate once (idempotent, quick): the global setup calls it. */
export function ensureTestCertificates(): void {
  execFileSync('bash', [join(root, 'scripts/certs.sh'), testTlsDir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The certificate files for startPlatform's `tls`, or undefined when the tests run over plain HTTP. */
export function testTls(): PlatformTls | undefined {
  if (!testTlsEnabled()) return undefined;
  const files = tlsFiles(testTlsDir);
  if (!existsSync(files.caFile) || !existsSync(files.certFile))
    throw new Error(`No test certificates in ${testTlsDir}: run scripts/certs.sh (the global setup does)`);
  return files;
}
