/**
 * Every test file's worker trusts the local CA the test platforms serve HTTPS with (test/support/tls.ts):
 * its own fetch, node:https and node:tls calls. A process a test spawns with this process's environment
 * trusts it too: the CLI through RENKEI_CA_FILE, any other Node process through NODE_EXTRA_CA_CERTS (the
 * services are given TLS_CA_FILE by the harness).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { trustCaFile } from '@renkei/platform';
import { testTlsDir, testTlsEnabled } from './tls.js';

const ca = join(testTlsDir, 'ca.crt');
if (testTlsEnabled() && existsSync(ca)) {
  trustCaFile(ca);
  process.env.RENKEI_CA_FILE ??= ca;
  process.env.NODE_EXTRA_CA_CERTS ??= ca;
}
