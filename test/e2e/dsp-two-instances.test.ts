/**
 * Two Renkei instances speak the Dataspace Protocol to each other (issue 14): instance A is the provider
 * (a cell maker's battery.cfp), instance B the consumer (an automaker). Each clearing has its own connector
 * key; each registers the other's connector as a participant (that key) and as a DSP peer (its protocol
 * URL, its token URL, who it is over there). B's member negotiates through the management API, A's
 * originator approves, B transfers with the NDJSON stream format and reads A's events with the token of
 * the transfer's dataAddress; A's originator revokes the grant: B's transfer is TERMINATED, B's stream
 * ends within a second, and nothing published after it arrives. Then the same from the command line, and
 * delivery into B's governance: a transfer `into` a dataset of B's member whose contract names the
 * agreement as its source (and B's catalog shows that lineage) until A revokes. Both instances share Kafka and PostgreSQL
 * (distinct topic prefixes and databases), as two companies' platforms would share nothing else.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataAddressAccess,
  openDeliveryStream,
  RenkeiClient,
  type DeliveryStream,
  type DspNegotiation,
  type DspTransfer,
  type StreamLine,
} from '@renkei/sdk';
import { eventually } from '../support/eventually.js';
import { readTopicUntil } from '../support/topic-reader.js';
import {
  corporateNumber,
  participantKey,
  publicJwk,
  repoRoot,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';

/** A clearing's connector key: PKCS8 for its configuration, the public JWK (kid = thumbprint) for peers. */
async function connectorKey(): Promise<{ pkcs8: string; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const pub = await exportJWK(publicKey);
  return {
    pkcs8: await exportPKCS8(privateKey),
    publicJwk: { ...pub, kid: await calculateJwkThumbprint(pub), alg: 'ES256', use: 'sig' },
  };
}

const connector = (name: string, base12: string) => ({
  legalName: `${name} (Dataspace Protocol connector)`,
  corporateNumber: corporateNumber(base12),
  industry: 'dataspace-connector',
  country: 'JP',
  roles: ['member'],
});

type EventLine = Extract<StreamLine, { type: 'event' }>;

/** Everything a stream delivers until it ends, with when it ended. */
class Collector {
  readonly events: EventLine[] = [];
  end: Extract<StreamLine, { type: 'end' }> | undefined;
  endedAt = 0;
  private stopped = false;
  readonly done: Promise<void>;

  constructor(readonly stream: DeliveryStream) {
    this.done = (async () => {
      while (!this.stopped) {
        const line = await stream.read(200);
        if (!line) continue;
        if (line.type === 'event') this.events.push(line);
        if (line.type === 'end') {
          this.end = line;
          this.endedAt = Date.now();
          return;
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    this.stream.close();
  }
}

const lots = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const lotId = `lot-dsp-${String(from + i).padStart(4, '0')}`;
    return { subject: lotId, payload: { lotId, cellModel: 'KCW-NMC811-50Ah', cfpKgCo2ePerKwh: 60 + i } };
  });

describe('Dataspace Protocol between two Renkei instances', () => {
  let a: TestPlatform;
  let b: TestPlatform;
  let cell: RenkeiClient; // originator on A
  let auto: RenkeiClient; // member on B
  let aPeerOnB: string; // A's connector as a participant of B
  let bPeerOnA: string; // B's connector as a participant of A
  let negotiation: DspNegotiation;
  let transfer: DspTransfer;
  let collector: Collector | undefined;
  let publishToken: string;
  let autoCredentials: string;

  beforeAll(async () => {
    const base = Number(process.env.RENKEI_E2E_BASE_PORT ?? 5300);
    const [keyA, keyB] = await Promise.all([connectorKey(), connectorKey()]);
    const dspEnv = (key: { pkcs8: string }) => ({
      clearing: { CONNECTOR_KEY: key.pkcs8, DSP_ALLOW_INSECURE_LOOPBACK: 'true' },
    });
    // One after the other: 2 cores, and each start migrates nothing (template database) but loads a lot.
    a = await startTestPlatform('e2e_dsp_a', base, { fixedPort: true, env: dspEnv(keyA) });
    b = await startTestPlatform('e2e_dsp_b', base + 50, { fixedPort: true, env: dspEnv(keyB) });

    const cellKey = await participantKey('cell-dsp-1');
    const autoKey = await participantKey('auto-dsp-1');
    const cellId = (await a.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(cellKey)] } })).id;
    const autoId = (await b.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(autoKey)] } })).id;
    cell = new RenkeiClient(a.platform.endpoints, { clientId: cellId, privateJwk: cellKey });
    auto = new RenkeiClient(b.platform.endpoints, { clientId: autoId, privateJwk: autoKey });
    autoCredentials = join(mkdtempSync(join(tmpdir(), 'renkei-dsp-')), 'auto.credentials.json');
    writeFileSync(
      autoCredentials,
      JSON.stringify({ ...b.platform.endpoints, clientId: autoId, privateJwk: autoKey }),
    );

    // Each side onboards the other's connector with the key the other publishes (GET /connector/key), then
    // registers it as a peer.
    const [publishedA, publishedB] = await Promise.all([a.admin.connectorKey(), b.admin.connectorKey()]);
    expect([publishedA.keys, publishedB.keys]).toEqual([[keyA.publicJwk], [keyB.publicJwk]]);
    bPeerOnA = (
      await a.admin.onboard({ ...connector('Renkei B', '800000000002'), jwks: { keys: publishedB.keys } })
    ).id;
    aPeerOnB = (
      await b.admin.onboard({ ...connector('Renkei A', '800000000001'), jwks: { keys: publishedA.keys } })
    ).id;
    await a.admin.registerDspPeer({
      participantId: bPeerOnA,
      address: `${b.platform.endpoints.clearing}/dsp`,
      tokenUrl: `${b.platform.endpoints.clearing}/oauth/token`,
      remoteParticipantId: aPeerOnB,
    });
    await b.admin.registerDspPeer({
      participantId: aPeerOnB,
      address: `${a.platform.endpoints.clearing}/dsp`,
      tokenUrl: `${a.platform.endpoints.clearing}/oauth/token`,
      remoteParticipantId: bPeerOnA,
    });

    await cell.registerContract(batteryCfpContract);
    publishToken = await cell.datasetToken('battery.cfp', 'publish');
  });

  afterAll(async () => {
    await collector?.stop();
    await b?.stop();
    await a?.stop();
  });

  it('lists each registered peer with its address', async () => {
    const peers = await b.admin.dspPeers();
    expect(peers).toEqual([
      expect.objectContaining({
        participantId: aPeerOnB,
        address: `${a.platform.endpoints.clearing}/dsp`,
        remoteParticipantId: bPeerOnA,
      }),
    ]);
  });

  it('negotiates: B’s member requests, A’s originator approves, the agreement is the grant', async () => {
    negotiation = await auto.startNegotiation({
      peer: aPeerOnB,
      offerId: 'urn:renkei:offer:battery.cfp:1.0.0',
      datasetId: 'urn:renkei:dataset:battery.cfp:1.0.0',
      purpose: 'cfp-disclosure',
    });
    expect(negotiation).toMatchObject({ side: 'consumer', state: 'REQUESTED' });

    // A's originator sees the request as a grant request by B's connector, and approves it.
    const provider = await eventually(
      async () => (await cell.negotiations({ side: 'provider' })).find((n) => n.state === 'REQUESTED'),
      (n) => n !== undefined,
    );
    expect(provider).toMatchObject({ side: 'provider', peer: bPeerOnA, grantId: expect.any(String) });
    const requested = await cell.grant(provider!.grantId!);
    expect(requested).toMatchObject({ state: 'requested', consumer: bPeerOnA, purpose: 'cfp-disclosure' });
    await cell.approveGrant(provider!.grantId!, 'CFP disclosure for Renkei B', { historyFrom: 'all' });

    // B verifies the agreement (if its member must), and both sides reach FINALIZED.
    negotiation = await eventually(
      async () => {
        const n = await auto.negotiation(negotiation.id);
        if (n.state === 'AGREED') await auto.moveNegotiation(n.id, 'verify').catch(() => undefined);
        return n;
      },
      (n) => n.state === 'FINALIZED' || n.state === 'TERMINATED',
    );
    expect(negotiation).toMatchObject({ state: 'FINALIZED', agreementId: provider!.grantId });
    expect((await cell.negotiation(provider!.id)).state).toBe('FINALIZED');
    expect((await cell.grant(provider!.grantId!)).state).toBe('granted');
  });

  it('transfers: B starts an NDJSON stream transfer and reads the events A publishes', async () => {
    transfer = await auto.startTransfer({
      peer: aPeerOnB,
      agreementId: negotiation.agreementId!,
      format: 'Renkei-NDJSON-STREAM',
    });
    transfer = await eventually(
      () => auto.transfer(transfer.id),
      (t) => t.state !== 'REQUESTED',
    );
    expect(transfer).toMatchObject({ side: 'consumer', state: 'STARTED' });
    const access = dataAddressAccess(transfer.dataAddress);
    expect(access.endpoint.startsWith(a.platform.endpoints.exchange)).toBe(true);

    collector = new Collector(await openDeliveryStream(access.endpoint, access.token));
    const published = await cell.publish('battery.cfp', publishToken, lots(0, 3));
    expect(published.accepted).toBe(3);
    await eventually(
      () => Promise.resolve(collector!.events.length),
      (n) => n >= 3,
    );
    expect(collector.events.map((l) => l.event.id).sort()).toEqual([...published.eventIds].sort());
  });

  it('revocation on A terminates B’s transfer and ends B’s stream within a second; nothing after arrives', async () => {
    const revokedAt = Date.now();
    await cell.revokeGrant(negotiation.agreementId!, 'the agreement ends');
    const ended = await eventually(
      () => Promise.resolve(collector!.end),
      (end) => end !== undefined,
      5_000,
      20,
    );
    expect(ended).toBeDefined();
    const endedAfterMs = collector!.endedAt - revokedAt;
    console.log(`[dsp e2e] B's stream ended ${endedAfterMs} ms after A's revocation (${ended!.code})`);
    expect(endedAfterMs).toBeLessThan(1_000);

    const terminated = await eventually(
      () => auto.transfer(transfer.id),
      (t) => t.state === 'TERMINATED',
    );
    expect(terminated.state).toBe('TERMINATED');

    const before = collector!.events.length;
    await cell.publish('battery.cfp', publishToken, lots(100, 2));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(collector!.events).toHaveLength(before);
    // The transfer's token is refused from now on: no new stream on it.
    const access = dataAddressAccess(transfer.dataAddress);
    await expect(openDeliveryStream(access.endpoint, access.token)).rejects.toMatchObject({
      status: expect.any(Number),
    });
  });

  it('lets B’s member negotiate, list and terminate from the command line; A sees the grant request end', async () => {
    const cli = async (...args: string[]) =>
      JSON.parse(
        (
          await promisify(execFile)(process.execPath, [`${repoRoot}/libs/sdk/dist/cli.js`, 'dsp', ...args], {
            env: { ...process.env, RENKEI_CREDENTIALS: autoCredentials },
          })
        ).stdout,
      ) as unknown;
    const started = (await cli(
      'negotiate',
      aPeerOnB,
      'urn:renkei:dataset:battery.cfp:1.0.0',
      '--purpose',
      'cfp-disclosure',
    )) as DspNegotiation;
    // The offer id of a Renkei peer's dataset follows from the dataset id.
    expect(started).toMatchObject({
      side: 'consumer',
      state: 'REQUESTED',
      offerId: 'urn:renkei:offer:battery.cfp:1.0.0',
    });
    const listed = (await cli('negotiations', '--side', 'consumer')) as DspNegotiation[];
    expect(listed.map((n) => n.id)).toEqual(expect.arrayContaining([started.id, negotiation.id]));
    expect(
      await cli('negotiation', String(started.id), 'terminate', '--reason', 'no longer needed'),
    ).toMatchObject({
      state: 'TERMINATED',
    });
    // On A the negotiation ends with it, and its grant request is withdrawn.
    const provider = await eventually(
      async () =>
        (await cell.negotiations({ side: 'provider' })).find((n) => n.consumerPid === started.consumerPid),
      (n) => n?.state === 'TERMINATED',
    );
    expect(provider?.state).toBe('TERMINATED');
    expect((await cell.grant(provider!.grantId!)).state).not.toBe('granted');
    expect(await cli('transfer-show', transfer.id)).toMatchObject({ state: 'TERMINATED' });
  });

  it('delivers into B’s governance: a dataset naming the agreement as source; revocation on A stops it', async () => {
    // A second agreement, negotiated as the first.
    const started = await auto.startNegotiation({
      peer: aPeerOnB,
      offerId: 'urn:renkei:offer:battery.cfp:1.0.0',
      datasetId: 'urn:renkei:dataset:battery.cfp:1.0.0',
      purpose: 'cfp-disclosure',
    });
    const provider = await eventually(
      async () =>
        (await cell.negotiations({ side: 'provider' })).find((n) => n.consumerPid === started.consumerPid),
      (n) => n?.state === 'REQUESTED',
    );
    await cell.approveGrant(provider!.grantId!, 'CFP into Renkei B’s governance');
    const agreed = await eventually(
      async () => {
        const n = await auto.negotiation(started.id);
        if (n.state === 'AGREED') await auto.moveNegotiation(n.id, 'verify').catch(() => undefined);
        return n;
      },
      (n) => n.state === 'FINALIZED' || n.state === 'TERMINATED',
    );
    expect(agreed.state).toBe('FINALIZED');
    const agreementId = agreed.agreementId!;

    // B's member registers the dataset the received events go into, naming the external agreement.
    const source = { agreementId, provider: aPeerOnB, dataset: 'urn:renkei:dataset:battery.cfp:1.0.0' };
    await auto.registerContract({
      ...batteryCfpContract,
      dataset: 'received.cfp',
      title: 'CFP from A',
      source,
    });
    // B's catalog shows the dataset's lineage to the external agreement.
    const lineage = await eventually(
      async () => {
        const dcat = (await auto.catalogDcat()) as { dataset?: Record<string, unknown>[] };
        return dcat.dataset?.find((d) => d['dct:identifier'] === 'received.cfp')?.['dct:source'] as
          Record<string, unknown> | undefined;
      },
      (l) => l !== undefined,
    );
    // (The node's vocabulary is the DCAT view's; what matters here: it names the agreement and A's dataset.)
    expect(JSON.stringify(lineage)).toContain(JSON.stringify(agreementId));
    expect(JSON.stringify(lineage)).toContain(JSON.stringify(source.dataset));
    const into = await auto.startTransfer({
      peer: aPeerOnB,
      agreementId,
      format: 'Renkei-NDJSON-STREAM',
      into: 'received.cfp',
    });
    expect(
      (
        await eventually(
          () => auto.transfer(into.id),
          (t) => t.state !== 'REQUESTED',
        )
      ).state,
    ).toBe('STARTED');

    // Published on A, the events land in B's own dataset (B's topic), under B's member as originator.
    const topic = `${b.topicPrefix}.data.received.cfp`;
    type Envelope = { id: string; dataset: string; originator: string };
    const read = async (done: (values: Envelope[]) => boolean) => {
      for (let tries = 0; ; tries += 1) {
        try {
          return await readTopicUntil<Envelope>(topic, done, 15_000);
        } catch (error) {
          // The topic exists once the first received event was published into it.
          if (tries >= 30 || !String(error).includes('does not host this topic')) throw error;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    };
    const sent = (await cell.publish('battery.cfp', publishToken, lots(200, 3))).eventIds;
    const arrived = await read((values) => sent.every((id) => values.some((v) => v.id === id)));
    const copied = arrived.filter((v) => sent.includes(v.id));
    expect(copied).toHaveLength(3);
    for (const e of copied)
      expect(e).toMatchObject({ dataset: 'received.cfp', originator: auto.credentials.clientId });

    // A revokes: B's transfer ends, and nothing A publishes afterwards reaches B's dataset.
    await cell.revokeGrant(agreementId, 'the second agreement ends');
    expect(
      (
        await eventually(
          () => auto.transfer(into.id),
          (t) => t.state === 'TERMINATED',
        )
      ).state,
    ).toBe('TERMINATED');
    const late = (await cell.publish('battery.cfp', publishToken, lots(300, 2))).eventIds;
    await new Promise((r) => setTimeout(r, 2_000));
    const all = await read((values) => values.length >= 3);
    expect(all.filter((v) => late.includes(v.id))).toEqual([]);
  });
});
