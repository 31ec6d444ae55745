/**
 * Several employees act for one company, each with a key of their own, and one employee's access ends
 * without touching the others': POST /participants/{id}/keys and DELETE /participants/{id}/keys/{kid}
 * (ADR 0028), against the four services on real Kafka and PostgreSQL.
 */
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { expectProblem } from '../support/problems.js';
import { automaker, cellMaker } from '../fixtures/battery-cfp.js';

describe('participant keys: one per employee, revocable one by one', () => {
  let env: TestPlatform;
  let companyId: string;
  let otherId: string;
  const keys: Record<'it' | 'tanaka' | 'sato' | 'other', JWK> = {} as never;
  const as = (name: keyof typeof keys) =>
    new RenkeiClient(env.platform.endpoints, { clientId: companyId, privateJwk: keys[name] });

  beforeAll(async () => {
    env = await startTestPlatform('e2e-keys', 4301);
    keys.it = await participantKey('kcw-it-dept');
    keys.tanaka = await participantKey('kcw-tanaka-2026');
    keys.sato = await participantKey('kcw-sato-2026');
    keys.other = await participantKey('chubu-1');
    companyId = (await env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.it)] } })).id;
    otherId = (await env.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.other)] } })).id;
  });
  afterAll(async () => {
    await env?.stop();
  });

  it('lets the company add a key for each employee, who then signs in with their own', async () => {
    await as('it').addParticipantKey(companyId, publicJwk(keys.tanaka));
    const updated = await as('it').addParticipantKey(companyId, publicJwk(keys.sato));
    expect(updated.jwks.keys.map((k) => k.kid)).toEqual(['kcw-it-dept', 'kcw-tanaka-2026', 'kcw-sato-2026']);
    await expect(as('tanaka').platformToken()).resolves.toMatch(/^ey/);
    await expect(as('sato').platformToken()).resolves.toMatch(/^ey/);
  });

  it('ends one employee’s access by removing their key; the others keep theirs', async () => {
    await as('tanaka').removeParticipantKey(companyId, 'kcw-sato-2026');
    await expectProblem(as('sato').platformToken(), 401, 'AUTH.INVALID_CLIENT_ASSERTION');
    await expect(as('tanaka').platformToken()).resolves.toMatch(/^ey/);
  });

  it('refuses a private key, a duplicate kid and removing the last key, saying what to do', async () => {
    await expectProblem(as('it').addParticipantKey(companyId, keys.sato), 400, 'REQUEST.INVALID');
    await expectProblem(
      as('it').addParticipantKey(companyId, publicJwk(keys.tanaka)),
      409,
      'PARTICIPANT.KEY_EXISTS',
    );
    await as('it').removeParticipantKey(companyId, 'kcw-tanaka-2026');
    await expectProblem(as('it').removeParticipantKey(companyId, 'kcw-it-dept'), 409, 'PARTICIPANT.LAST_KEY');
    await expectProblem(as('it').removeParticipantKey(companyId, 'nobody'), 404, 'PARTICIPANT.KEY_NOT_FOUND');
  });

  it('does not let another participant touch the company’s keys', async () => {
    const other = new RenkeiClient(env.platform.endpoints, { clientId: otherId, privateJwk: keys.other });
    await expectProblem(
      other.addParticipantKey(companyId, publicJwk(keys.sato)),
      403,
      'PARTICIPANT.NOT_VISIBLE',
    );
    await expectProblem(other.removeParticipantKey(companyId, 'kcw-it-dept'), 403, 'PARTICIPANT.NOT_VISIBLE');
  });

  it('lets the consortium admin remove a key for the company', async () => {
    await as('it').addParticipantKey(companyId, publicJwk(keys.sato));
    await env.admin.removeParticipantKey(companyId, 'kcw-sato-2026');
    await expectProblem(as('sato').platformToken(), 401, 'AUTH.INVALID_CLIENT_ASSERTION');
  });
});
