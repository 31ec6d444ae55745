/**
 * Every test file's worker trusts the local CA the test platforms serve HTTPS with (test/support/tls.ts):
 * its own fetch, node:https and node:tls calls. A process a test spawns is told itself (the CLI's
 * RENKEI_CA_FILE, the services' TLS_CA_FILE).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { trustCaFile } from '@renkei/platform';
import { testTlsDir, testTlsEnabled } from './tls.js';

const ca = join(testTlsDir, 'ca.crt');
if (testTlsEnabled() && existsSync(ca)) {
  trustCaFile(ca);
}
