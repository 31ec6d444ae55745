/**
 * The Dataspace Protocol catalog as a peer connector sees it, end to end over HTTP with the four services
 * running: a registered participant's platform token on `/dsp/catalog/...`, the datasets it may see with
 * DSP ids, offers and formats, ids with colons in the path, JSON-LD bodies, and an invited-only dataset it
 * is not invited to answered exactly like one that does not exist.
 */
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { eventually } from '../support/eventually.js';
import { automaker, batteryCfpContract, cellMaker, competitorCellMaker } from '../fixtures/battery-cfp.js';

const DSP_CONTEXT = 'https://w3id.org/dspace/2025/1/context.jsonld';
type Node = Record<string, unknown>;

let env: TestPlatform;
let dsp: string;
const tokens: Record<'cell' | 'auto' | 'rival', string> = { cell: '', auto: '', rival: '' };
const ids: Record<string, string> = {};

const catalogRequest = { '@context': [DSP_CONTEXT], '@type': 'CatalogRequestMessage' };

async function call(
  path: string,
  token: string | null,
  init: { method?: string; body?: unknown; contentType?: string } = {},
): Promise<{ status: number; body: Node; text: string; headers: Headers }> {
  const res = await fetch(`${dsp}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': init.contentType ?? 'application/json' } : {}),
    },
    ...(init.body !== undefined
      ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
      : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Node) : {}, text, headers: res.headers };
}

const datasetIds = (catalog: Node) =>
  ((catalog.dataset as Node[] | undefined) ?? []).map((d) => d['@id'] as string).sort();

describe('DSP catalog: what a peer connector sees', () => {
  beforeAll(async () => {
    env = await startTestPlatform('e2e-dsp-catalog', 4501);
    dsp = `${env.platform.endpoints.clearing}/dsp`;
    const keys: Record<string, JWK> = {};
    for (const name of ['cell', 'auto', 'rival']) keys[name] = await participantKey(`${name}-key-1`);
    const [c, a, r] = await Promise.all([
      env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell!)] } }),
      env.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto!)] } }),
      env.admin.onboard({ ...competitorCellMaker, jwks: { keys: [publicJwk(keys.rival!)] } }),
    ]);
    Object.assign(ids, { cell: c.id, auto: a.id, rival: r.id });
    const client = (id: string, key: JWK) =>
      new RenkeiClient(env.platform.endpoints, { clientId: id, privateJwk: key });
    const cell = client(c.id, keys.cell!);
    await cell.registerContract({ ...batteryCfpContract, approval: 'policy' });
    // Invited-only: the automaker may see it, the rival may not.
    await cell.registerContract({
      ...batteryCfpContract,
      dataset: 'battery.soh',
      title: 'Battery state of health',
      visibility: 'invited',
      invited: [a.id],
    });
    await cell.registerContract({ ...batteryCfpContract, dataset: 'battery.plan', status: 'draft' });
    // Data the cell maker receives from another data space, under an agreement with the rival's connector.
    await cell.registerContract({
      ...batteryCfpContract,
      dataset: 'received.cells',
      title: 'Cell lots received from a partner connector',
      source: {
        agreementId: 'urn:uuid:agreement-at-partner',
        provider: r.id,
        dataset: 'urn:edc:asset:cells',
      },
    });
    tokens.cell = await cell.platformToken();
    tokens.auto = await client(a.id, keys.auto!).platformToken();
    tokens.rival = await client(r.id, keys.rival!).platformToken();
    // Clearing follows the registry over Kafka: wait until it offers both datasets.
    await eventually(
      async () =>
        (await call('/catalog/request', tokens.auto, { method: 'POST', body: catalogRequest })).body,
      (catalog) => datasetIds(catalog).length === 3,
    );
  });

  afterAll(async () => {
    await env?.stop();
  });

  it('answers a CatalogRequestMessage with the datasets the peer may see, by DSP id', async () => {
    const auto = await call('/catalog/request', tokens.auto, { method: 'POST', body: catalogRequest });
    expect(auto.status).toBe(200);
    expect(auto.body).toMatchObject({
      '@context': [DSP_CONTEXT],
      '@type': 'Catalog',
      participantId: 'urn:renkei:clearing',
      service: [{ '@type': 'DataService', endpointURL: dsp }],
    });
    expect(datasetIds(auto.body)).toEqual([
      'urn:renkei:dataset:battery.cfp:1.0.0',
      'urn:renkei:dataset:battery.soh:1.0.0',
      'urn:renkei:dataset:received.cells:1.0.0',
    ]);
    const rival = await call('/catalog/request', tokens.rival, {
      method: 'POST',
      body: catalogRequest,
      contentType: 'application/ld+json',
    });
    expect(rival.status).toBe(200);
    expect(datasetIds(rival.body)).toEqual([
      'urn:renkei:dataset:battery.cfp:1.0.0',
      'urn:renkei:dataset:received.cells:1.0.0',
    ]);
    expect(rival.text).not.toContain('battery.soh');
    expect(rival.text).not.toContain('battery.plan');
  });

  it('offers the contract terms without a target, both formats through the connector', async () => {
    const { status, body } = await call(
      '/catalog/datasets/urn:renkei:dataset:battery.cfp:1.0.0',
      tokens.rival,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      '@context': [DSP_CONTEXT],
      '@id': 'urn:renkei:dataset:battery.cfp:1.0.0',
      '@type': 'Dataset',
      'dct:identifier': 'battery.cfp',
      'dct:conformsTo': {
        '@id': `${env.platform.endpoints.registry}/contracts/battery.cfp/versions/1.0.0`,
      },
      [`${env.platform.endpoints.registry}/vocab#approval`]: 'policy',
    });
    const [offer] = body.hasPolicy as Node[];
    expect(offer).toMatchObject({ '@id': 'urn:renkei:offer:battery.cfp:1.0.0', '@type': 'Offer' });
    expect(offer).not.toHaveProperty('target');
    expect(JSON.stringify(offer)).toContain('cfp-disclosure');
    expect(body.distribution).toEqual([
      expect.objectContaining({
        format: 'HttpData-PULL',
        accessService: expect.objectContaining({ endpointURL: dsp }),
      }),
      expect.objectContaining({ format: 'Renkei-NDJSON-STREAM' }),
    ]);
  });

  it('shows a received dataset with its lineage to the external agreement', async () => {
    const { status, body } = await call(
      '/catalog/datasets/urn:renkei:dataset:received.cells:1.0.0',
      tokens.auto,
    );
    expect(status).toBe(200);
    expect(body['dct:source']).toEqual({
      'dct:identifier': 'urn:edc:asset:cells',
      'dct:publisher': { '@id': `${env.platform.endpoints.registry}/participants/${ids.rival}` },
      [`${env.platform.endpoints.registry}/vocab#agreement`]: 'urn:uuid:agreement-at-partner',
    });
  });

  it('takes the id with its colons as sent, or percent-encoded', async () => {
    const encoded = await call(
      `/catalog/datasets/${encodeURIComponent('urn:renkei:dataset:battery.soh:1.0.0')}`,
      tokens.auto,
    );
    expect(encoded.status).toBe(200);
    expect(encoded.body['@id']).toBe('urn:renkei:dataset:battery.soh:1.0.0');
    expect(encoded.text).not.toContain(ids.auto); // who is invited stays the owner's business
  });

  it('answers an invited-only dataset the peer is not invited to exactly like a missing one', async () => {
    const hidden = await call('/catalog/datasets/urn:renkei:dataset:battery.soh:1.0.0', tokens.rival);
    const missing = await call('/catalog/datasets/urn:renkei:dataset:battery.none:1.0.0', tokens.rival);
    const draft = await call('/catalog/datasets/urn:renkei:dataset:battery.plan:1.0.0', tokens.rival);
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get('content-type')).toBe(missing.headers.get('content-type'));
    expect(hidden.body).toMatchObject({
      '@context': [DSP_CONTEXT],
      '@type': 'CatalogError',
      code: 'CONTRACT.NOT_FOUND',
      reason: [expect.any(String), expect.any(String)],
    });
    // Byte for byte, once the requested id (in `instance`) is taken out.
    const withoutId = (r: { text: string }, id: string) => r.text.split(id).join('<id>');
    expect(withoutId(missing, 'battery.none')).toBe(withoutId(hidden, 'battery.soh'));
    expect(withoutId(draft, 'battery.plan')).toBe(withoutId(hidden, 'battery.soh'));
    // The owner sees its draft.
    expect((await call('/catalog/datasets/urn:renkei:dataset:battery.plan:1.0.0', tokens.cell)).status).toBe(
      200,
    );
  });

  it('refuses a caller without a platform token, and a message that is not a CatalogRequestMessage', async () => {
    const anonymous = await call('/catalog/request', null, { method: 'POST', body: catalogRequest });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ '@type': 'CatalogError', code: 'TOKEN.MISSING' });
    const wrong = await call('/catalog/request', tokens.auto, {
      method: 'POST',
      body: { '@context': [DSP_CONTEXT], '@type': 'DatasetRequestMessage' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ '@type': 'CatalogError', code: 'DSP.INVALID_MESSAGE' });
    const tooMany = await call('/catalog/request', tokens.auto, {
      method: 'POST',
      body: { ...catalogRequest, filter: Array.from({ length: 17 }, () => ({})) },
    });
    expect(tooMany.status).toBe(400);
    const cursor = await call('/catalog/request?cursor=%2F%2F', tokens.auto, {
      method: 'POST',
      body: catalogRequest,
    });
    expect(cursor.status).toBe(400);
    expect(cursor.body).toMatchObject({ '@type': 'CatalogError', code: 'CATALOG.INVALID_CURSOR' });
  });
});
