/**
 * The Dataspace Protocol transfer process on the provider side, end to end: a peer connector (a registered
 * participant holding a grant) requests a transfer, the provider starts it with a data address whose token
 * reads the exchange; the consumer's termination ends the stream within a second and the token is refused
 * afterwards; revoking the grant terminates its transfers; illegal moves are 409; an agreement that is not
 * the caller's answers 400 exactly like an unknown one. The consumer's callback endpoint is a server in the
 * test, as the TCK's is. Last, one platform plays both connectors over loopback: a member's consumer transfer
 * delivers what it receives into the member's own dataset through the exchange, until the member terminates.
 */
import { generateKeyPairSync } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculateJwkThumbprint, exportJWK, importPKCS8, type JWK } from 'jose';
import type { DataEnvelope } from '@renkei/domain';
import { RenkeiClient } from '@renkei/sdk';
import { CallbackServer, DSP_CONTEXT } from '../support/dsp-callbacks.js';
import { readTopicUntil } from '../support/topic-reader.js';
import { refusalsOnRecord } from '../support/refusals.js';
import {
  corporateNumber,
  participantKey as key,
  publicJwk as pub,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker, competitorCellMaker } from '../fixtures/battery-cfp.js';

/** An NDJSON read of the exchange, line by line, with when each line arrived. */
class LineReader {
  readonly lines: { line: Record<string, unknown>; at: number }[] = [];
  readonly done: Promise<void>;
  readonly abort = new AbortController();
  status = 0;

  constructor(url: string, token: string) {
    this.done = (async () => {
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${token}` },
        signal: this.abort.signal,
      });
      this.status = res.status;
      if (!res.ok || !res.body) {
        this.lines.push({ line: (await res.json()) as Record<string, unknown>, at: Date.now() });
        return;
      }
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of res.body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const text = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (text.trim())
            this.lines.push({ line: JSON.parse(text) as Record<string, unknown>, at: Date.now() });
        }
      }
    })().catch(() => undefined);
  }

  events(): Record<string, unknown>[] {
    return this.lines
      .filter((l) => l.line.type === 'event')
      .map((l) => l.line.event as Record<string, unknown>);
  }

  end(): { line: Record<string, unknown>; at: number } | undefined {
    return this.lines.find((l) => l.line.type === 'end');
  }
}

const until = async (check: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  return check();
};

const property = (address: Record<string, unknown>, name: string) =>
  (address.endpointProperties as { name: string; value: string }[]).find((p) => p.name === name)?.value;

describe('DSP transfer process', () => {
  let env: TestPlatform;
  let cell: RenkeiClient;
  let peer: RenkeiClient;
  let rival: RenkeiClient;
  let peerToken: string;
  let peerId: string;
  let publishToken: string;
  const callbacks = new CallbackServer();

  const dsp = async (
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, unknown>,
    token = peerToken,
  ) => {
    const res = await fetch(`${env.platform.endpoints.clearing}/dsp${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify({ '@context': [DSP_CONTEXT], ...body }) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  const grantFor = async (client: RenkeiClient) => {
    const grant = await client.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    await cell.approveGrant(grant.id);
    return grant.id;
  };

  /** Requests a transfer of `grantId`; answers the providerPid and the start message's data address. */
  const startTransfer = async (grantId: string, format = 'Renkei-NDJSON-STREAM') => {
    const consumerPid = `urn:uuid:${randomUUID()}`;
    const answer = await dsp('POST', '/transfers/request', {
      '@type': 'TransferRequestMessage',
      consumerPid,
      agreementId: grantId,
      format,
      callbackAddress: callbacks.url,
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ '@type': 'TransferProcess', consumerPid, state: 'REQUESTED' });
    const providerPid = answer.body.providerPid as string;
    const start = await callbacks.waitFor(`/transfers/${consumerPid}/start`);
    expect(start.body).toMatchObject({ '@type': 'TransferStartMessage', providerPid, consumerPid });
    const dataAddress = start.body.dataAddress as Record<string, unknown>;
    return { consumerPid, providerPid, dataAddress, token: property(dataAddress, 'authorization')! };
  };

  const publish = async (n: number, prefix: string) =>
    (
      await cell.publish(
        'battery.cfp',
        publishToken,
        Array.from({ length: n }, (_, i) => ({
          subject: `${prefix}-${i}`,
          payload: { lotId: `${prefix}-${i}`, cellModel: 'X', cfpKgCo2ePerKwh: 50 + i },
        })),
      )
    ).eventIds;

  /** The platform's connector key (PKCS#8 PEM), and its private JWK with the thumbprint kid clearing uses. */
  const connectorPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
  let connectorJwk: JWK;

  beforeAll(async () => {
    const { d: _d, ...publicPart } = await exportJWK(
      await importPKCS8(connectorPem, 'ES256', { extractable: true }),
    );
    const kid = await calculateJwkThumbprint(publicPart);
    connectorJwk = {
      ...(await exportJWK(await importPKCS8(connectorPem, 'ES256', { extractable: true }))),
      kid,
      alg: 'ES256',
    };
    env = await startTestPlatform('dsp-transfer', 5200, {
      env: { clearing: { DSP_ALLOW_INSECURE_LOOPBACK: 'true', CONNECTOR_KEY: connectorPem } },
    });
    await callbacks.start();
    const kc = await key('c');
    const c = await env.admin.onboard({ ...cellMaker, jwks: { keys: [pub(kc)] } });
    cell = new RenkeiClient(env.platform.endpoints, { clientId: c.id, privateJwk: kc });
    const kp = await key('p');
    const p = await env.admin.onboard({ ...automaker, jwks: { keys: [pub(kp)] } });
    peer = new RenkeiClient(env.platform.endpoints, { clientId: p.id, privateJwk: kp });
    peerId = p.id;
    const kr = await key('r');
    const r = await env.admin.onboard({ ...competitorCellMaker, jwks: { keys: [pub(kr)] } });
    rival = new RenkeiClient(env.platform.endpoints, { clientId: r.id, privateJwk: kr });
    await cell.registerContract(batteryCfpContract);
    peerToken = await peer.platformToken();
    publishToken = await cell.datasetToken('battery.cfp', 'publish');
  }, 120_000);

  afterAll(async () => {
    await callbacks.stop();
    await env?.stop();
  });

  it('starts a request on a live grant with a data address whose token reads the stream', async () => {
    const grantId = await grantFor(peer);
    const t = await startTransfer(grantId);
    expect(t.dataAddress).toMatchObject({
      '@type': 'DataAddress',
      endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
      endpoint: `${env.platform.endpoints.exchange}/datasets/battery.cfp/stream`,
    });
    expect(property(t.dataAddress, 'authType')).toBe('bearer');
    const stream = new LineReader(t.dataAddress.endpoint as string, t.token);
    await until(() => stream.status === 200, 5_000);
    const ids = await publish(3, 'dsp-a');
    expect(await until(() => stream.events().length >= 3, 10_000)).toBe(true);
    // Per subject in order; across partitions in any order.
    expect(
      stream
        .events()
        .map((e) => e.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect((await dsp('GET', `/transfers/${t.providerPid}`)).body).toMatchObject({
      '@type': 'TransferProcess',
      providerPid: t.providerPid,
      consumerPid: t.consumerPid,
      state: 'STARTED',
    });

    // The consumer terminates: the stream ends within a second, and the token is refused afterwards.
    const sentAt = Date.now();
    const terminated = await dsp('POST', `/transfers/${t.providerPid}/termination`, {
      '@type': 'TransferTerminationMessage',
      providerPid: t.providerPid,
      consumerPid: t.consumerPid,
      code: '1',
      reason: ['done'],
    });
    expect(terminated.status).toBe(200);
    expect(await until(() => stream.end() !== undefined, 1_000)).toBe(true);
    expect(stream.end()!.line.code).toBe('TRANSFER.ENDED');
    expect(stream.end()!.at - sentAt).toBeLessThan(1_000);
    await publish(1, 'dsp-after');
    const again = await fetch(t.dataAddress.endpoint as string, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(again.status).toBe(403);
    expect(((await again.json()) as { code: string }).code).toBe('TRANSFER.NOT_ACTIVE');
    expect(stream.events()).toHaveLength(3);
    // The grant itself is untouched: only this transfer ended.
    expect((await peer.grant(grantId)).state).toBe('granted');

    // Illegal moves: 409 with a TransferError, never 404.
    const illegal = await dsp('POST', `/transfers/${t.providerPid}/suspension`, {
      '@type': 'TransferSuspensionMessage',
      providerPid: t.providerPid,
      consumerPid: t.consumerPid,
      code: '1',
      reason: ['pause'],
    });
    expect(illegal.status).toBe(409);
    expect(illegal.body).toMatchObject({
      '@type': 'TransferError',
      providerPid: t.providerPid,
      consumerPid: t.consumerPid,
      code: 'DSP.ILLEGAL_TRANSITION',
    });
  }, 60_000);

  it('refuses a consumer start of a requested transfer and a completion of a suspended one (409)', async () => {
    const grantId = await grantFor(peer);
    const t = await startTransfer(grantId);
    const msg = (type: string) => ({ '@type': type, providerPid: t.providerPid, consumerPid: t.consumerPid });
    expect(
      (
        await dsp('POST', `/transfers/${t.providerPid}/suspension`, {
          ...msg('TransferSuspensionMessage'),
          code: '1',
          reason: ['x'],
        })
      ).status,
    ).toBe(200);
    const completion = await dsp(
      'POST',
      `/transfers/${t.providerPid}/completion`,
      msg('TransferCompletionMessage'),
    );
    expect(completion.status).toBe(409);
    expect((await dsp('GET', `/transfers/${t.providerPid}`)).body.state).toBe('SUSPENDED');
    // The illegal move is on the audit chain as a refusal by the peer.
    const [illegal] = (
      await refusalsOnRecord(env.admin, 'DSP.ILLEGAL_TRANSITION', '/dsp/transfers/:pid/completion', peerId)
    ).filter((r) => r.route === '/dsp/transfers/:pid/completion');
    expect(illegal).toMatchObject({ category: 'protocol', status: 409, participant: peerId });
    // A token of a suspended transfer is refused.
    const read = await fetch(t.dataAddress.endpoint as string, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(read.status).toBe(403);
  }, 60_000);

  it('sends a new data address when the consumer starts a transfer it suspended itself', async () => {
    const grantId = await grantFor(peer);
    const t = await startTransfer(grantId);
    const msg = (type: string) => ({ '@type': type, providerPid: t.providerPid, consumerPid: t.consumerPid });
    const suspended = await dsp('POST', `/transfers/${t.providerPid}/suspension`, {
      ...msg('TransferSuspensionMessage'),
      code: '1',
      reason: ['pause'],
    });
    expect(suspended.status).toBe(200);
    const restarted = await dsp('POST', `/transfers/${t.providerPid}/start`, msg('TransferStartMessage'));
    expect(restarted.status).toBe(200);
    expect((await dsp('GET', `/transfers/${t.providerPid}`)).body.state).toBe('STARTED');
    const starts = () => callbacks.received.filter((r) => r.path === `/transfers/${t.consumerPid}/start`);
    expect(await until(() => starts().length >= 2, 10_000)).toBe(true);
    const second = starts()[1]!;
    expect(second.body).toMatchObject({
      '@type': 'TransferStartMessage',
      providerPid: t.providerPid,
      consumerPid: t.consumerPid,
    });
    const dataAddress = second.body.dataAddress as Record<string, unknown>;
    expect(dataAddress.endpoint).toBe(t.dataAddress.endpoint);
    const token = property(dataAddress, 'authorization')!;
    expect(token).not.toBe(t.token);
    // The new token reads the stream.
    const stream = new LineReader(dataAddress.endpoint as string, token);
    expect(await until(() => stream.status === 200, 5_000)).toBe(true);
    stream.abort.abort();
  }, 60_000);

  it('revoking the grant terminates its transfers and ends their streams', async () => {
    const grantId = await grantFor(peer);
    const t = await startTransfer(grantId);
    const stream = new LineReader(t.dataAddress.endpoint as string, t.token);
    await until(() => stream.status === 200, 5_000);
    await cell.revokeGrant(grantId, 'the agreement ends');
    const termination = await callbacks.waitFor(`/transfers/${t.consumerPid}/termination`);
    expect(termination.body).toMatchObject({
      '@type': 'TransferTerminationMessage',
      providerPid: t.providerPid,
      consumerPid: t.consumerPid,
    });
    expect((await dsp('GET', `/transfers/${t.providerPid}`)).body.state).toBe('TERMINATED');
    expect(await until(() => stream.end() !== undefined, 2_000)).toBe(true);
    // A request on the ended agreement is accepted, then terminated at once (TP:01-05).
    const consumerPid = `urn:uuid:${randomUUID()}`;
    const late = await dsp('POST', '/transfers/request', {
      '@type': 'TransferRequestMessage',
      consumerPid,
      agreementId: grantId,
      format: 'HttpData-PULL',
      callbackAddress: callbacks.url,
    });
    expect(late.status).toBe(201);
    await callbacks.waitFor(`/transfers/${consumerPid}/termination`);
  }, 60_000);

  it('serves HttpData-PULL as a bounded snapshot of the topic', async () => {
    const grantId = await grantFor(peer);
    const ids = await publish(2, 'dsp-pull');
    const t = await startTransfer(grantId, 'HttpData-PULL');
    expect(t.dataAddress.endpoint).toBe(`${env.platform.endpoints.exchange}/datasets/battery.cfp/snapshot`);
    const snapshot = new LineReader(t.dataAddress.endpoint as string, t.token);
    await snapshot.done;
    expect(snapshot.status).toBe(200);
    expect(snapshot.end()?.line.code).toBe('SNAPSHOT.COMPLETE');
    expect(snapshot.events().map((e) => e.id)).toEqual(expect.arrayContaining(ids));
  }, 60_000);

  it('answers an agreement that is not the caller’s exactly like an unknown one (400, nothing revealed)', async () => {
    const rivalsGrant = await grantFor(rival);
    const ask = (agreementId: string) =>
      dsp('POST', '/transfers/request', {
        '@type': 'TransferRequestMessage',
        consumerPid: `urn:uuid:${randomUUID()}`,
        agreementId,
        format: 'Renkei-NDJSON-STREAM',
        callbackAddress: callbacks.url,
      });
    const foreign = await ask(rivalsGrant);
    const unknown = await ask(randomUUID());
    expect(foreign.status).toBe(400);
    expect(unknown.status).toBe(400);
    const strip = (b: Record<string, unknown>) => ({ ...b, consumerPid: undefined, instance: undefined });
    expect(strip(foreign.body)).toEqual(strip(unknown.body));
    expect(foreign.body).toMatchObject({ '@type': 'TransferError', code: 'TRANSFER.UNKNOWN_AGREEMENT' });
    expect(JSON.stringify(foreign.body)).not.toContain(rivalsGrant);
    // Both refusals are on the audit chain (the record, unlike the answer, may name the foreign grant).
    const refused = await refusalsOnRecord(
      env.admin,
      'TRANSFER.UNKNOWN_AGREEMENT',
      '/dsp/transfers/request',
      peerId,
    );
    expect(refused.find((r) => r.participant === peerId)).toMatchObject({
      category: 'protocol',
      status: 400,
    });
  }, 60_000);

  it('delivers what a started consumer transfer receives into the member’s dataset, and stops on termination', async () => {
    // One platform plays both connectors over loopback: as consumer it is participant `asConsumer` at the
    // provider, and the provider calls back as participant `asProvider`; both sign with the connector key.
    const pubConnector = pub(connectorJwk);
    const asConsumer = await env.admin.onboard({
      ...automaker,
      legalName: 'Consumer Connector K.K.',
      corporateNumber: corporateNumber('010001016851'),
      jwks: { keys: [pubConnector] },
    });
    const asProvider = await env.admin.onboard({
      ...automaker,
      legalName: 'Provider Connector K.K.',
      corporateNumber: corporateNumber('010001008833'),
      jwks: { keys: [pubConnector] },
    });
    const clearing = env.platform.endpoints.clearing;
    await env.admin.registerDspPeer({
      participantId: asConsumer.id,
      address: `${clearing}/dsp`,
      tokenUrl: `${clearing}/oauth/token`,
      remoteParticipantId: asProvider.id,
    });
    await env.admin.registerDspPeer({
      participantId: asProvider.id,
      address: `${clearing}/dsp`,
      tokenUrl: `${clearing}/oauth/token`,
      remoteParticipantId: asConsumer.id,
    });
    // The agreement: a grant on battery.cfp the consumer connector holds.
    const consumerConnector = new RenkeiClient(env.platform.endpoints, {
      clientId: asConsumer.id,
      privateJwk: connectorJwk,
    });
    const agreementId = await grantFor(consumerConnector);
    // The member's own dataset the received events go into, naming the agreement as its source.
    const source = { agreementId, provider: asProvider.id, dataset: 'urn:renkei:dataset:battery.cfp:1.0.0' };
    await peer.registerContract({
      ...batteryCfpContract,
      dataset: 'received.cfp',
      title: 'Received CFP',
      source,
    });
    await peer.registerContract({ ...batteryCfpContract, dataset: 'own.cfp', title: 'Own CFP' });
    // A dataset whose contract does not name this agreement is refused as a destination.
    await expect(
      peer.startTransfer({
        peer: asProvider.id,
        agreementId,
        format: 'Renkei-NDJSON-STREAM',
        into: 'own.cfp',
      }),
    ).rejects.toMatchObject({ status: 400, code: 'TRANSFER.INTO_INVALID' });
    // The catalog shows the received dataset's lineage to the external agreement.
    const dcat = (await peer.catalogDcat()) as { dataset: Record<string, unknown>[] };
    const lineage = dcat.dataset.find((d) => d['dct:identifier'] === 'received.cfp')?.['dct:source'] as
      Record<string, unknown> | undefined;
    expect(lineage?.['dct:identifier']).toBe(source.dataset);
    expect(Object.entries(lineage ?? {}).find(([k]) => k.endsWith('/vocab#agreement'))?.[1]).toBe(
      agreementId,
    );
    const created = await peer.startTransfer({
      peer: asProvider.id,
      agreementId,
      format: 'Renkei-NDJSON-STREAM',
      into: 'received.cfp',
    });
    expect(created).toMatchObject({ side: 'consumer', state: 'REQUESTED', into: 'received.cfp' });
    const deadline = Date.now() + 15_000;
    let state = created.state;
    while (state !== 'STARTED' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await peer.transfer(created.id)).state;
    }
    expect(state).toBe('STARTED');
    const mine = await peer.transfer(created.id);
    expect(mine.providerPid).toBeTruthy();
    expect(mine.dataAddress).toMatchObject({
      endpoint: `${env.platform.endpoints.exchange}/datasets/battery.cfp/stream`,
    });
    const sent = await publish(3, 'dsp-into');
    // The topic exists once the first received event was published into it.
    const topic = `${env.topicPrefix}.data.received.cfp`;
    let arrived: DataEnvelope[];
    for (let tries = 0; ; tries += 1) {
      try {
        arrived = await readTopicUntil<DataEnvelope>(
          topic,
          (values) => sent.every((id) => values.some((v) => v.id === id)),
          15_000,
        );
        break;
      } catch (error) {
        if (tries >= 30 || !String(error).includes('does not host this topic')) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const copied = arrived.filter((v) => sent.includes(v.id));
    expect(copied).toHaveLength(3);
    for (const e of copied) expect(e).toMatchObject({ dataset: 'received.cfp', originator: peerId });

    // A restart of clearing resumes the delivery of the started transfer.
    await env.platform.restart('clearing');
    const afterRestart = await publish(2, 'dsp-restart');
    await readTopicUntil<DataEnvelope>(
      topic,
      (values) => afterRestart.every((id) => values.some((v) => v.id === id)),
      20_000,
    );

    // The member terminates: the read stops, nothing published afterwards arrives.
    await peer.moveTransfer(created.id, 'terminate', { reason: 'enough' });
    await new Promise((r) => setTimeout(r, 1_000));
    const late = await publish(2, 'dsp-late');
    await new Promise((r) => setTimeout(r, 2_000));
    const all = await readTopicUntil<DataEnvelope>(
      `${env.topicPrefix}.data.received.cfp`,
      (v) => v.length >= 3,
      10_000,
    );
    expect(all.filter((v) => late.includes(v.id))).toEqual([]);
  }, 90_000);
});
