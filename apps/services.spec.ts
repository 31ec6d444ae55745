import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { edgeConfigSchema, shutdownConfigSchema } from '@renkei/platform';
import {
  checkServices,
  platformServices,
  renderSettingsTable,
  serviceEnv,
  settingsTableIsCurrent,
} from './services.js';

const page = new URL('../docs/operations.md', import.meta.url);
const byName = (name: string) => platformServices.find((s) => s.name === name)!;
const kek = Buffer.alloc(32, 7).toString('base64url');

describe('the settings table in docs/operations.md', () => {
  it('is the one the schemas generate (npm run config:doc)', () => {
    const committed = readFileSync(page, 'utf8');
    expect(settingsTableIsCurrent(committed), 'run npm run config:doc').toBe(true);
  });

  it('describes every setting', () => {
    const missing = renderSettingsTable()
      .split('\n')
      .filter((line) => line.startsWith('| `') && line.endsWith('|  |'));
    expect(missing).toEqual([]);
    // The shared schemas are in it as well.
    for (const schema of [edgeConfigSchema, shutdownConfigSchema])
      for (const name of Object.keys((schema as unknown as { shape: Record<string, z.ZodType> }).shape))
        expect(renderSettingsTable()).toContain(`| \`${name}\` |`);
  });
});

describe('checking the chosen services before any starts', () => {
  it('names every wrong setting of every service, not just the first', () => {
    const problems = checkServices([byName('clearing'), byName('exchange')], {
      DATABASE_URL: 'not a url',
      KEY_ENCRYPTION_KEY: 'short',
      SHUTDOWN_TIMEOUT_MS: 'soon',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^clearing: DATABASE_URL: /),
        expect.stringMatching(/^clearing: KEY_ENCRYPTION_KEY: 32 random bytes/),
        expect.stringMatching(/^clearing: SHUTDOWN_TIMEOUT_MS: /),
        expect.stringMatching(/^exchange: PSEUDONYM_SECRET: /),
        expect.stringMatching(/^exchange: SHUTDOWN_TIMEOUT_MS: /),
      ]),
    );
  });

  it('requires the secrets and keys that have no development default in production only', () => {
    const env = {
      DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/renkei',
      KEY_ENCRYPTION_KEY: kek,
      PSEUDONYM_SECRET: 'x'.repeat(32),
      CLEARING__PORT: '3002',
    };
    const services = [byName('clearing'), byName('exchange')];
    expect(checkServices(services, env)).toEqual([]);
    expect(checkServices(services, { ...env, NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^clearing: ADMIN_JWKS: required with NODE_ENV=production/),
      expect.stringMatching(/^clearing: EXCHANGE_JWKS: required with NODE_ENV=production/),
      expect.stringMatching(/^exchange: SERVICE_KEY: required with NODE_ENV=production/),
    ]);
  });

  it('gives each service its own <SERVICE>__ settings, and refuses two on one port', () => {
    const env = { PORT: '4000', EXCHANGE__PORT: '4003', CLEARING__LOG_LEVEL: 'debug' };
    expect(serviceEnv(byName('exchange'), env)).toEqual({ PORT: '4003' });
    expect(serviceEnv(byName('clearing'), env)).toEqual({ PORT: '4000', LOG_LEVEL: 'debug' });
    expect(
      checkServices([byName('registry'), byName('cps-sim')], {
        DATABASE_URL: 'postgresql://h/db',
        PORT: '4000',
      }),
    ).toEqual([expect.stringMatching(/^cps-sim: PORT: 4000 is registry's as well \(set CPS_SIM__PORT\)/)]);
  });
});
