/**
 * The `renkei` command line, driven as a person would: key generation, onboarding, a contract, a grant,
 * publishing an NDJSON file and receiving it, a revocation, and the compliance officer's audit.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@renkei/domain';
import type { RunningPlatform } from '../support/platform.js';
import { testTls } from '../support/tls.js';
import { repoRoot as root, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker, complianceOffice } from '../fixtures/battery-cfp.js';

const run = promisify(execFile);

const tls = testTls();
const caFile: Record<string, string> = tls ? { RENKEI_CA_FILE: tls.caFile } : {};

describe('the renkei CLI', () => {
  let env: TestPlatform;
  let platform: RunningPlatform;
  const dir = mkdtempSync(join(tmpdir(), 'renkei-cli-'));
  const creds: Record<string, string> = {};
  let grantId = '';

  const cli = (who: string, args: string[]) =>
    run(process.execPath, [`${root}/libs/sdk/dist/cli.js`, ...args], {
      // The platform serves HTTPS with the local CA (test/support/tls.ts): the CLI is told to trust it.
      env: { ...process.env, RENKEI_CREDENTIALS: creds[who], ...caFile },
      cwd: dir,
    });
  const json = async (who: string, args: string[]) =>
    JSON.parse((await cli(who, args)).stdout) as Record<string, unknown>;
  const credentials = (name: string, clientId: string, privateJwk: unknown) => {
    const file = join(dir, `${name}.credentials.json`);
    const e = platform.endpoints;
    writeFileSync(
      file,
      JSON.stringify({
        registry: e.registry,
        clearing: e.clearing,
        exchange: e.exchange,
        clientId,
        privateJwk,
      }),
    );
    creds[name] = file;
  };

  beforeAll(async () => {
    env = await startTestPlatform('cli', 4141);
    platform = env.platform;
    const secrets = env.secrets;
    credentials('admin', 'consortium-admin', secrets.adminKey);
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('generates keys, and the admin onboards with the printed JWKS', async () => {
    for (const [name, fixture] of [
      ['cell', cellMaker],
      ['auto', automaker],
      ['officer', complianceOffice],
    ] as const) {
      const { stdout, stderr } = await cli('admin', [
        'keygen',
        '--kid',
        `${name}-1`,
        '--out',
        `${name}.key.json`,
      ]);
      expect(stderr).toContain('keep it secret');
      const jwks = JSON.parse(stdout) as { keys: Record<string, unknown>[] };
      expect(jwks.keys[0]).not.toHaveProperty('d');
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ ...fixture, jwks }));
      const participant = await json('admin', ['onboard', `${name}.json`]);
      credentials(
        name,
        participant.id as string,
        JSON.parse(readFileSync(join(dir, `${name}.key.json`), 'utf8')),
      );
    }
  });

  it('registers a contract, requests and approves a grant', async () => {
    writeFileSync(join(dir, 'contract.json'), JSON.stringify(batteryCfpContract));
    expect(await json('cell', ['contract', 'register', 'contract.json'])).toMatchObject({
      dataset: 'battery.cfp',
      version: '1.0.0',
    });
    const grant = await json('auto', [
      'grant',
      'request',
      '--dataset',
      'battery.cfp',
      '--purpose',
      'cfp-disclosure',
    ]);
    grantId = grant.id as string;
    expect(await json('cell', ['grant', 'approve', grantId, '--reason', 'model year 2027'])).toMatchObject({
      state: 'granted',
    });
  });

  it('publishes an NDJSON file and the consumer receives every line', async () => {
    const lines = Array.from({ length: 7 }, (_, i) =>
      JSON.stringify({
        subject: `lot-${i}`,
        payload: { lotId: `lot-${i}`, cellModel: 'X', cfpKgCo2ePerKwh: 60 + i },
      }),
    );
    writeFileSync(join(dir, 'events.ndjson'), lines.join('\n') + '\n');
    const published = await cli('cell', ['publish', 'battery.cfp', 'events.ndjson', '--batch', '3']);
    expect(JSON.parse(published.stdout)).toEqual({ dataset: 'battery.cfp', published: 7 });
    expect(published.stderr).toContain('published 7 events');
    const { stdout } = await cli('auto', [
      'subscribe',
      'battery.cfp',
      '--grant',
      grantId,
      '--max-events',
      '7',
    ]);
    const received = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { payload: { lotId: string }; position: string });
    expect(received.map((e) => e.payload.lotId).sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => `lot-${i}`),
    );
    expect(received[0]!.position).toMatch(/^\d+:\d+$/);
  });

  it('explains a refusal: the code, the failing path and what to do, with a non-zero exit', async () => {
    writeFileSync(
      join(dir, 'bad.ndjson'),
      JSON.stringify({ payload: { lotId: 'x', cellModel: 'X', cfpKgCo2ePerKwh: 'high' } }) + '\n',
    );
    const failure = await cli('cell', ['publish', 'battery.cfp', 'bad.ndjson']).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('error CONTRACT.SCHEMA_VIOLATION (400)');
    expect(failure?.stderr).toContain('at /events/0/payload/cfpKgCo2ePerKwh: must be number');
    expect(failure?.stderr).toContain('what to do:');
  });

  it('says what to do from the error catalogue when a refusal carries no hint', async () => {
    const failure = await cli('auto', ['grant', 'show', '00000000-0000-4000-8000-000000000000']).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('error GRANT.NOT_FOUND (404)');
    expect(failure?.stderr).toContain(`what to do: ${ERROR_CODES['GRANT.NOT_FOUND'].action}`);
  });

  it('revokes, and the consumer is refused with the reason', async () => {
    expect(await json('cell', ['grant', 'revoke', grantId, '--reason', 'contract ended'])).toMatchObject({
      state: 'revoked',
    });
    const failure = await cli('auto', ['subscribe', 'battery.cfp', '--grant', grantId]).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('GRANT.NOT_ACTIVE');
    // The policy's explanation, reason by reason.
    expect(failure?.stderr).toContain(
      `why (GRANT.NOT_ACTIVE): grant '${grantId}' is 'revoked', not 'granted'`,
    );
  });

  it('lets the compliance officer export decisions as CSV and verify the chain', async () => {
    const { stdout } = await cli('officer', [
      'audit',
      'entries',
      '--kind',
      'decision',
      '--limit',
      '500',
      '--csv',
    ]);
    const [header, ...rows] = stdout.trim().split('\n');
    expect(header).toBe('seq,kind,actor,dataset,allow,action,reasons,rule,explanation,policy_revision');
    expect(
      rows.some(
        (r) =>
          r.includes('"token.issue"') &&
          r.includes('"GRANT.NOT_ACTIVE","GRANT.NOT_ACTIVE"') &&
          r.includes(`"grant '${grantId}' is 'revoked', not 'granted'"`),
      ),
    ).toBe(true);
    // Only the refusals of one rule, each with its explanation on stderr.
    const byRule = await cli('officer', [
      'audit',
      'entries',
      '--rule',
      'GRANT.NOT_ACTIVE',
      '--action',
      'token.issue',
    ]);
    const entries = JSON.parse(byRule.stdout) as { rule: string; action: string; explanation: string }[];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.rule === 'GRANT.NOT_ACTIVE' && e.action === 'token.issue')).toBe(true);
    expect(byRule.stderr).toContain(
      `token.issue  GRANT.NOT_ACTIVE  grant '${grantId}' is 'revoked', not 'granted'`,
    );
    expect(await json('officer', ['audit', 'verify'])).toMatchObject({ ok: true });
  });

  const failureOf = (who: string, args: string[]) =>
    cli(who, args).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    );

  it('refuses a bad numeric option with a clear message before calling anything', async () => {
    const failure = await failureOf('auto', [
      'subscribe',
      'battery.cfp',
      '--grant',
      grantId,
      '--max-events',
      'abc',
    ]);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("option '--max-events <n>' argument 'abc' is invalid");
    expect(failure?.stderr).toContain('not a whole number');
    const zero = await failureOf('cell', ['publish', 'battery.cfp', 'events.ndjson', '--batch', '0']);
    expect(zero?.code).toBe(1);
    expect(zero?.stderr).toContain('must be 1 or more');
  });

  it('keygen will not overwrite an existing key', async () => {
    const before = readFileSync(join(dir, 'cell.key.json'), 'utf8');
    const failure = await failureOf('admin', ['keygen', '--kid', 'cell-2', '--out', 'cell.key.json']);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('cell.key.json exists');
    expect(readFileSync(join(dir, 'cell.key.json'), 'utf8')).toBe(before);
  });

  it('says which service it cannot reach, without a stack trace', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const file = join(dir, 'nowhere.credentials.json');
    const key = JSON.parse(readFileSync(join(dir, 'cell.key.json'), 'utf8')) as unknown;
    writeFileSync(
      file,
      JSON.stringify({
        registry: url,
        clearing: url,
        exchange: url,
        clientId: 'nobody',
        privateJwk: key,
      }),
    );
    creds.nowhere = file;
    const failure = await failureOf('nowhere', ['catalog']);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`cannot reach ${url} (ECONNREFUSED)`);
    expect(failure?.stderr).not.toMatch(/\n\s+at /);
    const sim = await failureOf('cell', ['sim', 'scenarios']);
    expect(sim?.code).toBe(1);
    expect(sim?.stderr).toContain('lack "cpsSim"');
  });

  it('says what is missing when no credentials are given', async () => {
    const failure = await run(process.execPath, [`${root}/libs/sdk/dist/cli.js`, 'catalog'], {
      env: { PATH: process.env.PATH },
    }).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('RENKEI_CREDENTIALS');
  });
});
