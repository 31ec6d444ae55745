/**
 * Every test file's worker trusts the local CA the test platforms serve HTTPS with (test/support/tls.ts):
 * its own fetch and node:https calls, and the processes it spawns (NODE_EXTRA_CA_CERTS, e.g. the CLI).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { trustCaFile } from '@renkei/platform';
import { testTlsDir, testTlsEnabled } from './tls.js';

const ca = join(testTlsDir, 'ca.crt');
if (testTlsEnabled() && existsSync(ca)) {
  trustCaFile(ca);
  process.env.NODE_EXTRA_CA_CERTS ??= ca;
}
