/**
 * The Dataspace Protocol contract negotiation on the provider side, end to end over HTTP against the real
 * clearing: a peer connector (a registered participant with its own key) asks for an offer, the originator
 * offers and approves (POST /grants/{id}/approve sends the agreement), the peer verifies and the grant goes
 * live on FINALIZED; an `approval: policy` contract agrees and finalizes by itself, and plain grant requests
 * on it are approved at once. Messages reach the consumer's callback endpoint (a server in the test, as the
 * TCK's is) only after the answer, in order, 0.5 s apart. Illegal moves are 409 with a
 * ContractNegotiationError; a participant that is not the process's peer gets the unknown-process answer;
 * the state survives a restart of clearing; every move is on the audit chain.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { CallbackServer, DSP_CONTEXT } from '../support/dsp-callbacks.js';
import { refusalsOnRecord as onRecord } from '../support/refusals.js';
import {
  participantKey as key,
  publicJwk as pub,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker, competitorCellMaker } from '../fixtures/battery-cfp.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DSP contract negotiation (provider side)', () => {
  let env: TestPlatform;
  let cell: RenkeiClient;
  let peer: RenkeiClient;
  let rival: RenkeiClient;
  let peerToken: string;
  let rivalToken: string;
  let peerId: string;
  let cellId: string;
  const callbacks = new CallbackServer();
  const offerOf = (dataset: string, purpose?: string) => ({
    '@id': `urn:renkei:offer:${dataset}:1.0.0`,
    '@type': 'Offer',
    target: `urn:renkei:dataset:${dataset}:1.0.0`,
    permission: [
      {
        action: 'use',
        ...(purpose
          ? { constraint: [{ leftOperand: 'odrl:purpose', operator: 'eq', rightOperand: purpose }] }
          : {}),
      },
    ],
  });

  const dsp = async (
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, unknown>,
    token = peerToken,
  ) => {
    const res = await fetch(`${env.platform.endpoints.clearing}/dsp${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      },
      ...(body ? { body: JSON.stringify({ '@context': [DSP_CONTEXT], ...body }) } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
      at: Date.now(),
    };
  };

  /** A new negotiation by the peer; answers the pids and when the answer arrived. */
  const request = async (dataset: string, purpose?: string) => {
    const consumerPid = `urn:uuid:${randomUUID()}`;
    const answer = await dsp('POST', '/negotiations/request', {
      '@id': `urn:uuid:${randomUUID()}`,
      '@type': 'ContractRequestMessage',
      consumerPid,
      offer: offerOf(dataset, purpose),
      callbackAddress: callbacks.url,
    });
    return { consumerPid, answer, providerPid: answer.body.providerPid as string };
  };

  const message = (
    type: string,
    providerPid: string,
    consumerPid: string,
    more: Record<string, unknown> = {},
  ) => ({
    '@id': `urn:uuid:${randomUUID()}`,
    '@type': type,
    providerPid,
    consumerPid,
    ...more,
  });

  const refusalsOnRecord = (code: string, route: string, participant: string) =>
    onRecord(env.admin, code, route, participant);

  beforeAll(async () => {
    env = await startTestPlatform('dsp-negotiation', 5100, {
      env: { clearing: { DSP_ALLOW_INSECURE_LOOPBACK: 'true' } },
    });
    await callbacks.start();
    const kc = await key('c');
    const c = await env.admin.onboard({ ...cellMaker, jwks: { keys: [pub(kc)] } });
    cellId = c.id;
    cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: kc });
    const kp = await key('p');
    const p = await env.admin.onboard({ ...automaker, jwks: { keys: [pub(kp)] } });
    peer = new RenkeiClient(env.platform.endpoints, { clientId: p.id, privateJwk: kp });
    peerId = p.id;
    const kr = await key('r');
    const r = await env.admin.onboard({ ...competitorCellMaker, jwks: { keys: [pub(kr)] } });
    rival = new RenkeiClient(env.platform.endpoints, { clientId: r.id, privateJwk: kr });
    await cell.registerContract(batteryCfpContract);
    await cell.registerContract({
      ...batteryCfpContract,
      dataset: 'battery.cfp-auto',
      purposes: ['cfp-disclosure'],
      approval: 'policy',
    });
    peerToken = await peer.platformToken();
    rivalToken = await rival.platformToken();
  }, 120_000);

  afterAll(async () => {
    await callbacks.stop();
    await env?.stop();
  });

  it('serves the DSP version metadata', async () => {
    const res = await fetch(`${env.platform.endpoints.clearing}/.well-known/dspace-version`);
    expect(await res.json()).toEqual({
      protocolVersions: [{ version: '2025-1', path: '/dsp', binding: 'HTTPS' }],
    });
  });

  it('negotiates with the originator: request, offer, accepted, approval sends the agreement, verified, FINALIZED', async () => {
    const { consumerPid, answer, providerPid } = await request('battery.cfp', 'cfp-disclosure');
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      '@context': [DSP_CONTEXT],
      '@type': 'ContractNegotiation',
      providerPid,
      consumerPid,
      state: 'REQUESTED',
    });
    // Idempotent by consumerPid: the TCK retries a request.
    const again = await dsp('POST', '/negotiations/request', {
      '@type': 'ContractRequestMessage',
      consumerPid,
      offer: offerOf('battery.cfp', 'cfp-disclosure'),
      callbackAddress: callbacks.url,
    });
    expect(again.body.providerPid).toBe(providerPid);

    // The negotiation is a grant request by the peer, visible to the originator both ways.
    const [negotiation] = await cell.negotiations({ side: 'provider', state: 'REQUESTED' });
    expect(negotiation).toMatchObject({ id: providerPid, consumerPid, peer: peerId, dataset: 'battery.cfp' });
    const grantId = negotiation!.grantId!;
    expect(await cell.grant(grantId)).toMatchObject({
      state: 'requested',
      purpose: 'cfp-disclosure',
      dataset: 'battery.cfp',
    });

    const offered = await cell.moveNegotiation(providerPid, 'offer');
    expect(offered.state).toBe('OFFERED');
    const offer = await callbacks.waitFor(`/negotiations/${consumerPid}/offers`);
    expect(offer.body).toMatchObject({ '@type': 'ContractOfferMessage', providerPid, consumerPid });
    expect(offer.body).not.toHaveProperty('callbackAddress');
    expect(offer.body.offer).toMatchObject({
      '@type': 'Offer',
      target: 'urn:renkei:dataset:battery.cfp:1.0.0',
    });

    expect(
      (
        await dsp(
          'POST',
          `/negotiations/${providerPid}/events`,
          message('ContractNegotiationEventMessage', providerPid, consumerPid, { eventType: 'ACCEPTED' }),
        )
      ).status,
    ).toBe(200);

    // The originator approves the grant the ordinary way: for a DSP grant that sends the agreement.
    expect((await cell.approveGrant(grantId)).state).toBe('requested');
    const agreement = await callbacks.waitFor(`/negotiations/${consumerPid}/agreement`);
    expect(agreement.body).toMatchObject({ '@type': 'ContractAgreementMessage', providerPid, consumerPid });
    expect(agreement.body.agreement).toMatchObject({
      '@id': grantId,
      '@type': 'Agreement',
      target: 'urn:renkei:dataset:battery.cfp:1.0.0',
      assignee: peerId,
      permission: [
        {
          action: 'use',
          constraint: [
            { leftOperand: 'odrl:purpose', operator: 'isAnyOf', rightOperand: ['cfp-disclosure'] },
          ],
        },
      ],
      obligation: [{ action: 'odrl:delete' }],
    });
    expect(typeof (agreement.body.agreement as { timestamp?: unknown }).timestamp).toBe('string');

    expect(
      (
        await dsp(
          'POST',
          `/negotiations/${providerPid}/agreement/verification`,
          message('ContractAgreementVerificationMessage', providerPid, consumerPid),
        )
      ).status,
    ).toBe(200);
    const finalized = await callbacks.waitFor(`/negotiations/${consumerPid}/events`);
    expect(finalized.body).toMatchObject({
      '@type': 'ContractNegotiationEventMessage',
      eventType: 'FINALIZED',
    });
    expect((await dsp('GET', `/negotiations/${providerPid}`)).body.state).toBe('FINALIZED');
    expect((await cell.grant(grantId)).state).toBe('granted');

    // A finalized agreement ends by revocation, never by termination.
    const late = await dsp(
      'POST',
      `/negotiations/${providerPid}/termination`,
      message('ContractNegotiationTerminationMessage', providerPid, consumerPid, {
        code: '1',
        reason: ['late'],
      }),
    );
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({
      '@context': [DSP_CONTEXT],
      '@type': 'ContractNegotiationError',
      providerPid,
      consumerPid,
      code: 'DSP.ILLEGAL_TRANSITION',
    });
    expect((late.body.reason as string[]).length).toBeGreaterThan(0);

    // Every message came after the answer to the move that caused it, each 0.5 s or more after the last.
    const sent = callbacks.of(consumerPid).map((r) => r.at);
    expect(sent[0]).toBeGreaterThanOrEqual(answer.at);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(480);

    const audit = await env.admin.auditEntries({ kind: 'dsp.negotiation.changed' });
    const moves = audit.items
      .filter((e) => (e.record as { process?: string }).process === providerPid)
      .map((e) => (e.record as { to: string }).to);
    expect(moves).toEqual(
      expect.arrayContaining(['REQUESTED', 'OFFERED', 'ACCEPTED', 'AGREED', 'VERIFIED', 'FINALIZED']),
    );
  });

  it('answers illegal moves with 409 and a ContractNegotiationError, leaving the state as it was', async () => {
    const { consumerPid, providerPid } = await request('battery.cfp', 'due-diligence');
    const counter = await dsp(
      'POST',
      `/negotiations/${providerPid}/request`,
      message('ContractRequestMessage', providerPid, consumerPid, {
        offer: offerOf('battery.cfp', 'due-diligence'),
      }),
    );
    expect([counter.status, counter.body['@type'], counter.body.code]).toEqual([
      409,
      'ContractNegotiationError',
      'DSP.ILLEGAL_TRANSITION',
    ]);
    const verify = await dsp(
      'POST',
      `/negotiations/${providerPid}/agreement/verification`,
      message('ContractAgreementVerificationMessage', providerPid, consumerPid),
    );
    expect(verify.status).toBe(409);
    // A provider's message sent to the provider: not the consumer's move.
    const agreement = await dsp(
      'POST',
      `/negotiations/${providerPid}/agreement`,
      message('ContractAgreementMessage', providerPid, consumerPid, {
        agreement: {
          '@id': 'x',
          '@type': 'Agreement',
          target: 't',
          assigner: 'a',
          assignee: 'b',
          permission: [{ action: 'use' }],
        },
      }),
    );
    expect(agreement.status).toBe(409);
    expect((await dsp('GET', `/negotiations/${providerPid}`)).body.state).toBe('REQUESTED');
    // The consumer gives its request up: the grant is revoked.
    expect(
      (
        await dsp(
          'POST',
          `/negotiations/${providerPid}/termination`,
          message('ContractNegotiationTerminationMessage', providerPid, consumerPid, {
            code: '1',
            reason: ['no longer needed'],
          }),
        )
      ).status,
    ).toBe(200);
    const [row] = (await cell.negotiations({ side: 'provider' })).filter((n) => n.id === providerPid);
    expect(row!.state).toBe('TERMINATED');
    expect((await cell.grant(row!.grantId!)).state).toBe('revoked');

    // The grant machine refuses a move from a final state the same way.
    const again = await fetch(`${env.platform.endpoints.clearing}/grants/${row!.grantId!}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await cell.platformToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'twice' }),
    });
    expect([again.status, ((await again.json()) as { code: string }).code]).toEqual([
      409,
      'GRANT.ILLEGAL_TRANSITION',
    ]);

    // Every illegal move is on the audit chain as a refusal, with the route template and who tried it.
    const illegal = await refusalsOnRecord(
      'DSP.ILLEGAL_TRANSITION',
      '/dsp/negotiations/:pid/agreement',
      peerId,
    );
    expect(illegal.find((r) => r.route === '/dsp/negotiations/:pid/request')).toMatchObject({
      category: 'protocol',
      status: 409,
      participant: peerId,
    });
    expect(illegal.map((r) => r.route)).toEqual(
      expect.arrayContaining([
        '/dsp/negotiations/:pid/agreement/verification',
        '/dsp/negotiations/:pid/agreement',
      ]),
    );
    const grantMove = await refusalsOnRecord('GRANT.ILLEGAL_TRANSITION', '/grants/:id/revoke', cellId);
    expect(grantMove.find((r) => r.route === '/grants/:id/revoke')).toMatchObject({
      category: 'protocol',
      status: 409,
    });
  });

  it('asks for a purpose when the contract offers several and the offer names none; refuses a malformed message', async () => {
    const { answer } = await request('battery.cfp');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ '@type': 'ContractNegotiationError', code: 'DSP.PURPOSE_REQUIRED' });
    const bad = await dsp('POST', '/negotiations/request', {
      '@type': 'ContractRequestMessage',
      offer: offerOf('battery.cfp'),
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'DSP.INVALID_MESSAGE']);
    const unknown = await request('battery.nothing', 'cfp-disclosure');
    expect([unknown.answer.status, unknown.answer.body.code]).toEqual([400, 'DSP.UNKNOWN_OFFER']);

    // Each refused request leaves a refusal on the audit chain, like any other refusal.
    for (const code of ['DSP.PURPOSE_REQUIRED', 'DSP.INVALID_MESSAGE', 'DSP.UNKNOWN_OFFER']) {
      const [refusal] = (await refusalsOnRecord(code, '/dsp/negotiations/request', peerId)).filter(
        (r) => r.participant === peerId,
      );
      expect(refusal, code).toMatchObject({
        category: 'protocol',
        status: 400,
        route: '/dsp/negotiations/request',
      });
    }
  });

  it("answers a participant that is not the process's peer exactly like an unknown process", async () => {
    const { consumerPid, providerPid } = await request('battery.cfp', 'due-diligence');
    const foreign = await dsp('GET', `/negotiations/${providerPid}`, undefined, rivalToken);
    const missing = await dsp('GET', `/negotiations/${randomUUID()}`, undefined, rivalToken);
    expect(foreign.status).toBe(404);
    expect([foreign.body['@type'], foreign.body.code]).toEqual([missing.body['@type'], missing.body.code]);
    const move = await dsp(
      'POST',
      `/negotiations/${providerPid}/termination`,
      message('ContractNegotiationTerminationMessage', providerPid, consumerPid),
      rivalToken,
    );
    expect([move.status, move.body.code]).toEqual([404, 'DSP.UNKNOWN_PROCESS']);
    const noToken = await fetch(`${env.platform.endpoints.clearing}/dsp/negotiations/${providerPid}`);
    expect(noToken.status).toBe(401);
    expect((await dsp('GET', `/negotiations/${providerPid}`)).body.state).not.toBe('TERMINATED');
  });

  it('with approval: policy, agrees on request and finalizes on verification by itself; a plain grant request is approved at once', async () => {
    const { consumerPid, providerPid, answer } = await request('battery.cfp-auto');
    expect(answer.status).toBe(201);
    const agreement = await callbacks.waitFor(`/negotiations/${consumerPid}/agreement`);
    expect(agreement.body.agreement).toMatchObject({
      '@type': 'Agreement',
      target: 'urn:renkei:dataset:battery.cfp-auto:1.0.0',
    });
    await dsp(
      'POST',
      `/negotiations/${providerPid}/agreement/verification`,
      message('ContractAgreementVerificationMessage', providerPid, consumerPid),
    );
    await callbacks.waitFor(`/negotiations/${consumerPid}/events`);
    expect((await dsp('GET', `/negotiations/${providerPid}`)).body.state).toBe('FINALIZED');
    const grantId = (agreement.body.agreement as { '@id': string })['@id'];
    expect((await peer.grant(grantId)).state).toBe('granted');

    const plain = await rival.requestGrant({ dataset: 'battery.cfp-auto', purpose: 'cfp-disclosure' });
    expect(plain.state).toBe('granted');
  });

  it('sends an offer and a termination in order, 0.5 s apart; a grant rejected outside the negotiation terminates it', async () => {
    const first = await request('battery.cfp', 'cfp-disclosure');
    await cell.moveNegotiation(first.providerPid, 'offer');
    await cell.moveNegotiation(first.providerPid, 'terminate', { reason: 'not this quarter' });
    const termination = await callbacks.waitFor(`/negotiations/${first.consumerPid}/termination`);
    const offer = await callbacks.waitFor(`/negotiations/${first.consumerPid}/offers`);
    expect(termination.at - offer.at).toBeGreaterThanOrEqual(480);
    expect(termination.body.reason).toEqual(['not this quarter']);

    const second = await request('battery.cfp', 'cfp-disclosure');
    const [row] = (await cell.negotiations({ side: 'provider', state: 'REQUESTED' })).filter(
      (n) => n.id === second.providerPid,
    );
    const rejected = await fetch(`${env.platform.endpoints.clearing}/grants/${row!.grantId}/reject`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await cell.platformToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'rejected in the console' }),
    });
    expect(rejected.status).toBe(200);
    const ended = await callbacks.waitFor(`/negotiations/${second.consumerPid}/termination`);
    expect(ended.body).toMatchObject({ code: 'GRANT.REJECTED' });
    expect((await dsp('GET', `/negotiations/${second.providerPid}`)).body.state).toBe('TERMINATED');
  });

  it('keeps every state across a restart of clearing', async () => {
    const { consumerPid, providerPid } = await request('battery.cfp', 'cfp-disclosure');
    await cell.moveNegotiation(providerPid, 'offer');
    await callbacks.waitFor(`/negotiations/${consumerPid}/offers`);
    await env.platform.restart('clearing');
    expect((await dsp('GET', `/negotiations/${providerPid}`)).body.state).toBe('OFFERED');
    const accepted = await dsp(
      'POST',
      `/negotiations/${providerPid}/events`,
      message('ContractNegotiationEventMessage', providerPid, consumerPid, { eventType: 'ACCEPTED' }),
    );
    expect(accepted.status).toBe(200);
    await sleep(100);
    expect((await cell.negotiation(providerPid)).state).toBe('ACCEPTED');
  });
});
