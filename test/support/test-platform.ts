/**
 * One end-to-end environment: a fresh database, its own topic prefix, fresh keys, and the four services
 * started from the build. Each e2e file takes its own port range so files never share anything.
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { corporateNumberCheckDigit } from '@renkei/domain';
import { RenkeiClient } from '@renkei/sdk';
import { freshDatabase, serviceDatabaseUrls } from './database.js';
import {
  generateSecrets,
  startPlatform,
  type PlatformOptions,
  type RunningPlatform,
  type Secrets,
} from './platform.js';
import { testTls } from './tls.js';

export const repoRoot = new URL('../..', import.meta.url).pathname;

export interface TestPlatform {
  platform: RunningPlatform;
  secrets: Secrets;
  topicPrefix: string;
  /** The platform's own database (tests that inspect what is stored, e.g. the audit chain's JSON). */
  databaseUrl: string;
  /** The bootstrap consortium admin, signing with the admin key from configuration. */
  admin: RenkeiClient;
  stop(): Promise<void>;
}

export async function startTestPlatform(
  label: string,
  basePort: number,
  options: Pick<PlatformOptions, 'console' | 'env'> & {
    /** Ignore RENKEI_E2E_BASE_PORT (a file that starts several platforms on ranges of its own). */
    fixedPort?: boolean;
  } = {},
): Promise<TestPlatform> {
  if (!existsSync(`${repoRoot}/dist/apps/exchange/src/main.js`))
    throw new Error('Build first: npm run build');
  const db = await freshDatabase(repoRoot, label);
  // Each service as its own role, where the server has them (ADR 0034).
  const databaseUrls = await serviceDatabaseUrls(db.url).catch(async (error: unknown) => {
    await db.drop();
    throw error;
  });
  const secrets = await generateSecrets();
  const topicPrefix = `e2e-${randomBytes(3).toString('hex')}`;
  const platform = await startPlatform({
    root: repoRoot,
    databaseUrl: db.url,
    databaseUrls,
    kafkaBrokers: process.env.KAFKA_BROKERS!,
    topicPrefix,
    // Worktrees sharing a machine each run files on their own port range.
    basePort: options.fixedPort ? basePort : Number(process.env.RENKEI_E2E_BASE_PORT ?? basePort),
    logDir: `${repoRoot}/.renkei/logs/${topicPrefix}`,
    logLevel: 'warn',
    secrets,
    console: options.console,
    env: options.env,
    // HTTPS with the local CA unless RENKEI_TEST_TLS=0 (ADR 0034).
    tls: testTls(),
  }).catch(async (error: unknown) => {
    await db.drop();
    throw error;
  });
  return {
    platform,
    secrets,
    topicPrefix,
    databaseUrl: db.url,
    admin: new RenkeiClient(platform.endpoints, {
      clientId: 'consortium-admin',
      privateJwk: secrets.adminKey,
    }),
    stop: async () => {
      await platform.stop();
      await db.drop();
    },
  };
}

/** A participant's private ES256 key, and its public part for onboarding. */
export async function participantKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
}

export const publicJwk = ({ d: _d, ...pub }: JWK): JWK => pub;

/** A valid 13-digit corporate number (check digit first) from a 12-digit base. */
export const corporateNumber = (base12: string): string => `${corporateNumberCheckDigit(base12)}${base12}`;
