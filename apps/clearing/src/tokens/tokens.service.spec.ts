import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { generatePrivateJwk, TokenIssuer, toSigningKey } from '@renkei/auth';
import { concealedTarget, type PlatformProjection } from '@renkei/domain';
import { PolicyGate } from '@renkei/policy';
import type { ClearingSettings } from '../core/clearing-settings.js';
import { GrantAccess } from '../grants/grant-access.js';
import { memoryPrisma, memoryTables, type MemoryTables } from '../testing/memory-prisma.js';
import {
  AUTOMAKER,
  CELL_MAKER,
  DATASET,
  STRANGER,
  caller,
  fixedClock,
  recordingSync,
  refusal,
  grantRow,
  participant,
  projection,
  scriptedPolicy,
} from '../testing/fixtures.js';
import { ADMIN_ID, TokensService } from './tokens.service.js';

const TOKEN_URL = 'https://clearing.renkei.example/oauth/token';
const settings: ClearingSettings = {
  assertionAudiences: ['urn:renkei:clearing', TOKEN_URL],
  adminJwks: null,
  platformTokenTtlSeconds: 600,
  datasetTokenTtlSeconds: 300,
  exchangeUrl: 'http://127.0.0.1:3003',
  transferTokenTtlSeconds: 600,
};

describe('TokensService', () => {
  const clock = fixedClock();
  let tables: MemoryTables;
  let state: PlatformProjection;
  let policy: ReturnType<typeof scriptedPolicy>;
  let syncs: number[];
  let tokens: TokensService;
  let automakerKey: JWK;
  /** Private halves of the participants' keys, by their public JWK. */
  const privateKeys = new Map<JWK, CryptoKey>();

  /** A client assertion as a participant signs it (RFC 7523). */
  const assertion = (iss: string, key: JWK, jti: string = randomUUID()) =>
    new SignJWT({ jti })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid! })
      .setIssuer(iss)
      .setSubject(iss)
      .setAudience(TOKEN_URL)
      .setIssuedAt(Math.floor(clock.now().getTime() / 1000))
      .setExpirationTime(Math.floor(clock.now().getTime() / 1000) + 60)
      .sign(privateKeys.get(key)!);

  beforeEach(async () => {
    tables = memoryTables(() => clock.now());
    const prisma = memoryPrisma(tables);
    state = projection();
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    automakerKey = { ...(await exportJWK(publicKey)), kid: 'automaker-1', alg: 'ES256' };
    privateKeys.set(automakerKey, privateKey);
    state.apply({
      type: 'participant.upserted',
      participant: participant(AUTOMAKER, { jwks: { keys: [automakerKey] } }),
    });
    policy = scriptedPolicy();
    const barrier = recordingSync();
    syncs = barrier.syncs;
    tokens = new TokensService(
      prisma,
      state,
      barrier.sync,
      new PolicyGate(policy.engine, state, 'clearing'),
      new GrantAccess(prisma),
      new TokenIssuer([await toSigningKey(await generatePrivateJwk())], 'urn:renkei:clearing', clock),
      settings,
      clock,
    );
  });

  const request = (client_assertion: string, scope?: string) => ({
    grant_type: 'client_credentials' as const,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' as const,
    client_assertion,
    ...(scope ? { scope } : {}),
  });

  describe('platform tokens', () => {
    it("issues the scopes of the caller's roles, burns the assertion and records the issue", async () => {
      const answer = await tokens.platformToken(request(await assertion(AUTOMAKER, automakerKey, 'a-1')));
      expect(answer).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
      const claims = decodeJwt(answer.access_token);
      expect(claims).toMatchObject({ sub: AUTOMAKER, aud: 'urn:renkei:api' });
      expect(answer.scope).toBe('contracts:write grants:read grants:write datasets:token');
      expect(tables.usedAssertion.rows).toMatchObject([
        { jti: `${AUTOMAKER}:a-1`, participantId: AUTOMAKER },
      ]);
      expect(tables.auditEntry.rows).toMatchObject([
        {
          kind: 'token.issued',
          actorId: AUTOMAKER,
          allow: true,
          payload: { jti: claims.jti, assertionJti: 'a-1' },
        },
      ]);
    });

    it('refuses an assertion used before, and records nothing for it', async () => {
      const signed = await assertion(AUTOMAKER, automakerKey, 'a-2');
      await tokens.platformToken(request(signed));
      const error = await refusal(tokens.platformToken(request(signed)));
      expect([error.code, error.kind]).toEqual(['AUTH.ASSERTION_REPLAYED', 'unauthenticated']);
      expect(tables.auditEntry.rows).toHaveLength(1);
    });

    it("refuses scopes beyond the caller's roles", async () => {
      const error = await refusal(
        tokens.platformToken(request(await assertion(AUTOMAKER, automakerKey), 'grants:read audit:read')),
      );
      expect([error.code, error.message]).toEqual([
        'TOKEN.SCOPE_NOT_ALLOWED',
        'Scopes not allowed for your roles: audit:read',
      ]);
    });

    it('looks for an unknown client after a fresh barrier before refusing it', async () => {
      const error = await refusal(tokens.platformToken(request(await assertion(randomUUID(), automakerKey))));
      expect(error.code).toBe('AUTH.UNKNOWN_CLIENT');
      expect(syncs).toEqual([250, 0]);
    });

    it('takes a recent barrier for a known client, and refuses a suspended one', async () => {
      state.apply({
        type: 'participant.upserted',
        participant: participant(AUTOMAKER, {
          status: 'suspended',
          jwks: { keys: [automakerKey] },
        }),
      });
      const error = await refusal(tokens.platformToken(request(await assertion(AUTOMAKER, automakerKey))));
      expect([error.code, error.kind]).toEqual(['PARTICIPANT.SUSPENDED', 'forbidden']);
      expect(syncs).toEqual([250]);
    });

    it('knows the consortium admin only by the configured key', async () => {
      const error = await refusal(tokens.platformToken(request(await assertion(ADMIN_ID, automakerKey))));
      expect([error.code, error.message]).toEqual([
        'AUTH.UNKNOWN_CLIENT',
        'No consortium admin key is configured',
      ]);
    });
  });

  describe('dataset tokens', () => {
    it('gives the owner a publish token once the policy allows, with the decision and the issue on record', async () => {
      const answer = await tokens.datasetToken(caller(CELL_MAKER), { dataset: DATASET, action: 'publish' });
      expect(answer).toMatchObject({ scope: `publish:${DATASET}`, expires_in: 300 });
      expect(decodeJwt(answer.access_token)).toMatchObject({ sub: CELL_MAKER, dataset: DATASET });
      expect(policy.asked).toMatchObject([{ action: 'publish', subject: { id: CELL_MAKER } }]);
      const [decision, issued] = tables.auditEntry.rows;
      expect(decision).toMatchObject({ kind: 'decision', allow: true });
      expect(issued).toMatchObject({
        kind: 'token.issued',
        payload: { decisionId: decision!.id, scope: `publish:${DATASET}` },
      });
    });

    it('refuses what the policy denies, keeping the decision on record and issuing nothing', async () => {
      policy.deny('CONTRACT.NOT_OWNER');
      const error = await refusal(
        tokens.datasetToken(caller(STRANGER), { dataset: DATASET, action: 'publish' }),
      );
      expect([error.code, error.kind]).toEqual(['CONTRACT.NOT_OWNER', 'forbidden']);
      expect(tables.auditEntry.rows).toMatchObject([{ kind: 'decision', allow: false }]);
    });

    it('subscribes under a grant the caller holds: the token names the grant and its purpose', async () => {
      const grant = grantRow();
      tables.grant.rows.push(grant);
      const answer = await tokens.datasetToken(caller(AUTOMAKER), {
        dataset: DATASET,
        action: 'subscribe',
        grantId: grant.id as string,
      });
      expect(decodeJwt(answer.access_token)).toMatchObject({ grant: grant.id, purpose: 'pcf-reporting' });
      expect(policy.asked).toMatchObject([
        { action: 'token.issue', purpose: 'pcf-reporting', grant: { id: grant.id, state: 'granted' } },
      ]);
    });

    it("answers someone else's grant like a missing one (concealed) before asking the policy", async () => {
      const grant = grantRow();
      tables.grant.rows.push(grant);
      const error = await refusal(
        tokens.datasetToken(caller(STRANGER), {
          dataset: DATASET,
          action: 'subscribe',
          grantId: grant.id as string,
        }),
      );
      expect(error.code).toBe('GRANT.NOT_FOUND');
      expect(concealedTarget(error)).toEqual({ type: 'grant', id: grant.id });
      expect(policy.asked).toHaveLength(0);
      expect(tables.auditEntry.rows).toHaveLength(0);
    });

    it('needs the grant to subscribe', async () => {
      const error = await refusal(
        tokens.datasetToken(caller(AUTOMAKER), { dataset: DATASET, action: 'subscribe' }),
      );
      expect([error.code, error.details]).toEqual([
        'REQUEST.INVALID',
        [{ path: '/grantId', message: 'required when action is subscribe' }],
      ]);
    });

    it('looks again after a fresh barrier before answering that a dataset has no contract', async () => {
      const error = await refusal(
        tokens.datasetToken(caller(CELL_MAKER), { dataset: 'cell.unknown', action: 'publish' }),
      );
      expect(error.code).toBe('CONTRACT.NOT_FOUND');
      expect(syncs).toEqual([250, 0]);
    });
  });
});
