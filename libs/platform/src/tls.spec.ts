import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseConfigSchema, loadConfig } from './config.js';
import { httpsOptions, servedScheme } from './tls.js';

const dir = mkdtempSync(join(tmpdir(), 'renkei-tls-'));
const cert = join(dir, 'server.crt');
const key = join(dir, 'server.key');
writeFileSync(cert, 'CERT');
writeFileSync(key, 'KEY');
const base = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db' };
const boot = (env: Record<string, string>) => () => loadConfig(baseConfigSchema, { ...base, ...env });

describe('TLS settings at boot', () => {
  it('certificate and key together serve HTTPS; neither is plain HTTP', () => {
    const config = boot({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key })();
    expect(servedScheme(config)).toBe('https');
    expect(httpsOptions(config)).toEqual({ cert: Buffer.from('CERT'), key: Buffer.from('KEY') });
    const plain = boot({})();
    expect(servedScheme(plain)).toBe('http');
    expect(httpsOptions(plain)).toBeUndefined();
  });

  it('one without the other stops the boot naming the missing setting', () => {
    expect(boot({ TLS_CERT_FILE: cert })).toThrow(/TLS_KEY_FILE: required with TLS_CERT_FILE/);
    expect(boot({ TLS_KEY_FILE: key })).toThrow(/TLS_CERT_FILE: required with TLS_KEY_FILE/);
  });

  it('a file that cannot be read stops the boot naming the setting and the file', () => {
    const missing = join(dir, 'nope.pem');
    expect(boot({ TLS_CERT_FILE: missing, TLS_KEY_FILE: key })).toThrow(
      `TLS_CERT_FILE: cannot read ${missing} (ENOENT)`,
    );
    expect(boot({ TLS_CA_FILE: missing })).toThrow(`TLS_CA_FILE: cannot read ${missing} (ENOENT)`);
  });
});
