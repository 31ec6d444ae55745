/**
 * The registry as members rely on it, end to end over HTTP with the four services running as processes
 * on real Kafka and PostgreSQL: versioned contracts with a guarded lifecycle, compatibility checks that
 * name every breaking path, ODCS v3 round trips, a catalog that lists only what the caller may see (also as
 * DCAT), events on the registry topic, notices to consumers holding access, and the exchange validating
 * each event against the exact version it claims.
 */
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { RenkeiClient, type DeliveryStream, type StreamLine } from '@renkei/sdk';
import {
  participantKey as newKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import { readTopicUntil } from '../support/topic-reader.js';
import { eventually } from '../support/eventually.js';
import { expectProblem } from '../support/problems.js';
import { automaker, batteryCfpContract, cellMaker, competitorCellMaker } from '../fixtures/battery-cfp.js';

let env: TestPlatform;

async function nextNotice(stream: DeliveryStream, timeoutMs = 15_000): Promise<StreamLine | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = await stream.read(deadline - Date.now());
    if (!line || line.type === 'end') return line;
    if (line.type === 'notice') return line;
  }
  return null;
}

const schemaV1 = batteryCfpContract.schema;
const schemaV11 = {
  ...schemaV1,
  properties: { ...schemaV1.properties, plantId: { type: 'string', description: 'Cell plant' } },
};

const healthBeds = {
  dataset: 'health.beds',
  version: '1.0.0',
  title: 'Ward bed occupancy, Kansai medical region',
  description: 'Hourly occupied and staffed beds per ward',
  domain: 'health',
  purposes: ['capacity-planning'],
  sensitivity: 'restricted',
  residency: 'JP',
  retentionDays: 90,
  visibility: 'invited',
  fields: { wardId: { tags: [] }, occupied: { tags: ['cooperative'] } },
  schema: {
    type: 'object',
    required: ['wardId', 'occupied'],
    additionalProperties: false,
    properties: { wardId: { type: 'string' }, occupied: { type: 'integer', minimum: 0 } },
  },
};

describe('registry: versioned contracts members can rely on', () => {
  let admin: RenkeiClient;
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let rival: RenkeiClient;
  const ids: Record<string, string> = {};
  let stream: DeliveryStream | undefined;

  beforeAll(async () => {
    env = await startTestPlatform('e2e-registry', 4161);
    admin = env.admin;
    const keys: Record<string, JWK> = {};
    for (const name of ['cell', 'auto', 'rival']) keys[name] = await newKey(`${name}-key-1`);
    const [c, a, r] = await Promise.all([
      admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell!)] } }),
      admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto!)] } }),
      admin.onboard({ ...competitorCellMaker, jwks: { keys: [publicJwk(keys.rival!)] } }),
    ]);
    Object.assign(ids, { cell: c.id, auto: a.id, rival: r.id });
    const endpoints = env.platform.endpoints;
    cell = new RenkeiClient(endpoints, { clientId: c.id, privateJwk: keys.cell! });
    auto = new RenkeiClient(endpoints, { clientId: a.id, privateJwk: keys.auto! });
    rival = new RenkeiClient(endpoints, { clientId: r.id, privateJwk: keys.rival! });
  });

  afterAll(async () => {
    stream?.close();
    await env?.stop();
  });

  it('publishes a first version, checked under BACKWARD by default', async () => {
    const v1 = await cell.registerContract(batteryCfpContract);
    expect(v1).toMatchObject({ status: 'active', current: true, compatibility: 'BACKWARD' });
    expect(v1.minimumProtection).toBe('access-control');
  });

  it('keeps a draft private to its owner and editable until it is activated', async () => {
    const draft = await cell.registerContract({
      ...batteryCfpContract,
      version: '1.1.0',
      status: 'draft',
      schema: schemaV1,
    });
    expect(draft).toMatchObject({ status: 'draft', current: false });
    await expectProblem(auto.contract('battery.cfp', '1.1.0'), 404, 'CONTRACT.NOT_FOUND');
    expect((await auto.contractVersions('battery.cfp')).map((v) => v.version)).toEqual(['1.0.0']);
    const { dataset: _d, version: _v, ...terms } = batteryCfpContract;
    const edited = await cell.updateDraft('battery.cfp', '1.1.0', { ...terms, schema: schemaV11 });
    expect(Object.keys(edited.schema.properties as object)).toContain('plantId');
    const active = await cell.moveContract('battery.cfp', '1.1.0', 'activate', 'Adds the plant');
    expect(active).toMatchObject({ status: 'active', current: true });
    expect((await auto.contract('battery.cfp')).version).toBe('1.1.0');
    expect((await cell.contractTransitions('battery.cfp', '1.1.0')).map((t) => [t.from, t.to])).toEqual([
      [null, 'draft'],
      ['draft', 'active'],
    ]);
  });

  it('never changes a published version', async () => {
    const { dataset: _d, version: _v, ...terms } = batteryCfpContract;
    await expectProblem(cell.updateDraft('battery.cfp', '1.0.0', terms), 409, 'CONTRACT.IMMUTABLE');
    await expectProblem(cell.registerContract(batteryCfpContract), 409, 'CONTRACT.VERSION_EXISTS');
    await expectProblem(
      cell.registerContract({ ...batteryCfpContract, version: '1.0.5' }),
      409,
      'CONTRACT.VERSION_NOT_INCREASING',
    );
  });

  it('refuses an incompatible version, naming every breaking path and why', async () => {
    const breaking = {
      ...schemaV11,
      required: [...schemaV11.required, 'plantId'],
      properties: {
        ...schemaV11.properties,
        cfpKgCo2ePerKwh: { ...schemaV11.properties.cfpKgCo2ePerKwh, maximum: 500 },
        unitPriceJpy: { type: 'integer', minimum: 0 },
      },
    };
    const error = await expectProblem(
      cell.registerContract({ ...batteryCfpContract, version: '2.0.0', schema: breaking }),
      409,
      'CONTRACT.INCOMPATIBLE',
    );
    const errors = error.problem.errors as { path: string; kind: string; field: string; message: string }[];
    expect(errors.map((e) => [e.path, e.kind, e.field]).sort()).toEqual(
      [
        ['/schema/required', 'FIELD_MADE_REQUIRED', '/plantId'],
        ['/schema/properties/cfpKgCo2ePerKwh/maximum', 'CONSTRAINT_TIGHTENED', '/cfpKgCo2ePerKwh'],
        ['/schema/properties/unitPriceJpy/type', 'TYPE_NARROWED', '/unitPriceJpy'],
      ].sort(),
    );
    for (const e of errors) expect(e.message).toContain(e.field.slice(1));
    expect(error.problem.hint).toContain('/datasets/{dataset}/compatibility');
    // The dry run gives the same answer and changes nothing.
    const report = await cell.checkCompatibility('battery.cfp', breaking, '2.0.0');
    expect(report).toMatchObject({ compatible: false, compatibility: 'BACKWARD', checkedAgainst: ['1.1.0'] });
    expect(report.breaks).toHaveLength(3);
    expect((await cell.contractVersions('battery.cfp')).map((v) => v.version)).toEqual(['1.0.0', '1.1.0']);
  });

  it('checks every earlier version once the mode is transitive', async () => {
    // Dropping plantId again is compatible with 1.0.0 but not with 1.1.0 (closed object): FORWARD_TRANSITIVE
    // looks at both.
    await expectProblem(auto.setCompatibility('battery.cfp', 'NONE'), 403, 'CONTRACT.NOT_OWNER');
    await cell.setCompatibility('battery.cfp', 'FULL_TRANSITIVE');
    const report = await cell.checkCompatibility('battery.cfp', schemaV1, '1.2.0');
    expect(report.checkedAgainst).toEqual(['1.0.0', '1.1.0']);
    expect(report.breaks.map((b) => [b.kind, b.field, b.against, b.direction])).toEqual([
      ['FIELD_REMOVED', '/plantId', '1.1.0', 'BACKWARD'],
    ]);
    await cell.setCompatibility('battery.cfp', 'BACKWARD');
  });

  it('guards the lifecycle: deprecate before retire, and never back', async () => {
    const error = await expectProblem(
      cell.moveContract('battery.cfp', '1.0.0', 'retire'),
      409,
      'CONTRACT.ILLEGAL_TRANSITION',
    );
    expect(error.problem.hint).toContain('Deprecate');
    await expectProblem(auto.moveContract('battery.cfp', '1.0.0', 'deprecate'), 403, 'CONTRACT.NOT_OWNER');
    expect((await cell.moveContract('battery.cfp', '1.0.0', 'deprecate', 'Use 1.1.0')).status).toBe(
      'deprecated',
    );
    expect((await cell.moveContract('battery.cfp', '1.0.0', 'retire', 'As announced')).status).toBe(
      'retired',
    );
    await expectProblem(
      cell.moveContract('battery.cfp', '1.0.0', 'activate'),
      409,
      'CONTRACT.ILLEGAL_TRANSITION',
    );
  });

  it('refuses terms below the minimum protection, naming the path', async () => {
    const error = await expectProblem(
      cell.registerContract({ ...healthBeds, dataset: 'health.wards', sensitivity: 'confidential' }),
      400,
      'CONTRACT.INVALID_TERMS',
    );
    expect(error.problem.errors).toEqual([expect.objectContaining({ path: '/sensitivity' })]);
  });

  it('lists invited-only datasets to the invited alone; to others they do not exist', async () => {
    await cell.registerContract({ ...healthBeds, invited: [ids.auto] });
    const seenBy = async (c: RenkeiClient) => (await c.catalog({ limit: 100 })).items.map((i) => i.dataset);
    expect(await seenBy(auto)).toEqual(['battery.cfp', 'health.beds']);
    expect(await seenBy(rival)).toEqual(['battery.cfp']);
    await expectProblem(rival.contract('health.beds'), 404, 'CONTRACT.NOT_FOUND');
    await expectProblem(
      rival.requestGrant({ dataset: 'health.beds', purpose: 'capacity-planning' }),
      404,
      'CONTRACT.NOT_FOUND',
    );
    // The invited see the terms, not whom else the owner invited.
    expect((await auto.contract('health.beds')).invited).toEqual([]);
    expect((await cell.contract('health.beds')).invited).toEqual([ids.auto]);
    const dcat = JSON.stringify(await rival.catalogDcat());
    expect(dcat).toContain('battery.cfp');
    expect(dcat).not.toContain('health.beds');
  });

  it('searches and filters the catalog, page by page without repeats', async () => {
    for (const [i, name] of ['alpha', 'beta', 'gamma'].entries()) {
      await cell.registerContract({
        ...batteryCfpContract,
        dataset: `logistics.${name}`,
        title: `Pooled logistics ${name}`,
        domain: 'logistics',
        purposes: ['route-planning'],
        fields: i === 0 ? {} : batteryCfpContract.fields,
      });
    }
    expect((await auto.catalog({ domain: 'logistics' })).items.map((c) => c.dataset)).toEqual([
      'logistics.alpha',
      'logistics.beta',
      'logistics.gamma',
    ]);
    expect((await auto.catalog({ domain: 'logistics', tag: 'competitive' })).items).toHaveLength(2);
    expect((await auto.catalog({ q: 'POOLED logistics GAM' })).items.map((c) => c.dataset)).toEqual([
      'logistics.gamma',
    ]);
    expect((await auto.catalog({ purpose: 'capacity-planning' })).items.map((c) => c.dataset)).toEqual([
      'health.beds',
    ]);
    expect((await auto.catalog({ owner: ids.auto })).items).toEqual([]);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await auto.catalog({ limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((c) => c.dataset));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages.flat()).toEqual([
      'battery.cfp',
      'health.beds',
      'logistics.alpha',
      'logistics.beta',
      'logistics.gamma',
    ]);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    await expectProblem(auto.catalog({ cursor: '!!' }), 400, 'CATALOG.INVALID_CURSOR');
  });

  it('exports a version as ODCS v3 and imports it back unchanged', async () => {
    const yaml = await cell.exportOdcs('battery.cfp', '1.1.0');
    const doc = parseYaml(yaml) as Record<string, unknown>;
    expect(doc).toMatchObject({ apiVersion: 'v3.0.2', kind: 'DataContract', version: '1.1.0' });
    const next = toYaml({ ...doc, id: `${String(doc.id)}-next`, version: '1.2.0' });
    const imported = await cell.importOdcs(next);
    const original = await cell.contract('battery.cfp', '1.1.0');
    const strip = ({
      version: _v,
      status: _s,
      current: _c,
      createdAt: _a,
      updatedAt: _u,
      ...rest
    }: typeof original) => rest;
    expect(strip(imported.contract)).toEqual(strip(original));
    expect(imported.contract).toMatchObject({ version: '1.2.0', status: 'active', current: true });
  });

  it('tells consumers holding access about new and deprecated versions, in their stream and on request', async () => {
    const grant = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    await cell.approveGrant(grant.id);
    stream = await auto.stream('battery.cfp', await auto.datasetToken('battery.cfp', 'subscribe', grant.id));
    await cell.registerContract({ ...batteryCfpContract, version: '1.3.0', schema: schemaV11 });
    expect(await nextNotice(stream)).toMatchObject({
      type: 'notice',
      code: 'CONTRACT.NEW_VERSION',
      version: '1.3.0',
    });
    await cell.moveContract('battery.cfp', '1.2.0', 'deprecate', 'Superseded by 1.3.0');
    expect(await nextNotice(stream)).toMatchObject({
      type: 'notice',
      code: 'CONTRACT.DEPRECATED',
      version: '1.2.0',
      reason: 'Superseded by 1.3.0',
    });
    const notes = await eventually(
      () => auto.notifications(),
      (list) => list.length >= 2,
    );
    expect(notes.map((n) => [n.kind, n.version]).sort()).toEqual([
      ['CONTRACT.DEPRECATED', '1.2.0'],
      ['CONTRACT.NEW_VERSION', '1.3.0'],
    ]);
    expect(await rival.notifications()).toEqual([]);
    await auto.markNotificationRead(notes[0]!.id);
    expect(await auto.notifications(true)).toHaveLength(1);
  });

  it('validates each event against the exact contract version it claims', async () => {
    const token = await cell.datasetToken('battery.cfp', 'publish');
    const lot = { lotId: 'lot-1', cellModel: 'KCW-50Ah', cfpKgCo2ePerKwh: 61, plantId: 'kyoto-2' };
    // 1.1.0 knows plantId; 1.0.0 (closed, retired anyway) does not.
    expect((await cell.publish('battery.cfp', token, [{ payload: lot }], '1.3.0')).contractVersion).toBe(
      '1.3.0',
    );
    const deprecated = await cell.publish('battery.cfp', token, [{ payload: lot }], '1.2.0');
    expect(deprecated.warnings?.[0]).toContain('1.3.0');
    await expectProblem(
      cell.publish('battery.cfp', token, [{ payload: lot }], '1.0.0'),
      409,
      'CONTRACT.VERSION_RETIRED',
    );
    await cell.registerContract({ ...batteryCfpContract, version: '1.4.0', status: 'draft' });
    await expectProblem(
      cell.publish('battery.cfp', token, [{ payload: lot }], '1.4.0'),
      409,
      'CONTRACT.VERSION_NOT_PUBLISHED',
    );
    await expectProblem(
      cell.publish('battery.cfp', token, [{ payload: lot }], '9.9.9'),
      404,
      'CONTRACT.NOT_FOUND',
    );
  });

  it('puts every contract change on the registry topic, in order', async () => {
    type Event = { type: string; contract?: { dataset: string; version: string }; dataset?: string };
    const onTopic = await readTopicUntil<Event>(`${env.topicPrefix}.registry.events`, (values) =>
      values.some((v) => v.type === 'contract.drafted' && v.contract?.version === '1.4.0'),
    );
    const battery = onTopic
      .filter((e) => e.contract?.dataset === 'battery.cfp' || e.dataset === 'battery.cfp')
      .map((e) => `${e.type}${e.contract ? ` ${e.contract.version}` : ''}`);
    expect(battery).toEqual([
      'contract.published 1.0.0',
      'contract.drafted 1.1.0',
      'contract.drafted 1.1.0',
      'contract.published 1.1.0',
      'dataset.changed',
      'dataset.changed',
      'contract.deprecated 1.0.0',
      'contract.retired 1.0.0',
      'contract.published 1.2.0',
      'contract.published 1.3.0',
      'contract.deprecated 1.2.0',
      'contract.drafted 1.4.0',
    ]);
  });

  it('round-trips ODCS under a non-BACKWARD mode: the dataset keeps its mode, the document its status', async () => {
    const dataset = 'battery.odcs-trip';
    await cell.registerContract({ ...batteryCfpContract, dataset, version: '1.0.0' });
    const exportedBackward = parseYaml(await cell.exportOdcs(dataset, '1.0.0')) as Record<string, unknown>;
    await cell.setCompatibility(dataset, 'FULL_TRANSITIVE');
    const custom = (doc: Record<string, unknown>) =>
      doc.customProperties as { property: string; value: unknown }[];
    const withVersion = (
      doc: Record<string, unknown>,
      version: string,
      extra: Record<string, unknown> = {},
    ) => toYaml({ ...doc, id: `urn:renkei:contract:${dataset}:${version}`, version, ...extra });

    // A document exported under the old mode: its mode is not a request to change the dataset's.
    const fromOld = await cell.importOdcs(withVersion(exportedBackward, '1.1.0'));
    expect(fromOld.contract).toMatchObject({ version: '1.1.0', compatibility: 'FULL_TRANSITIVE' });
    expect(fromOld.warnings).toEqual([expect.stringContaining('compatibility BACKWARD ignored')]);

    // Exported under FULL_TRANSITIVE and imported back unchanged; without renkei.compatibility too.
    const doc = parseYaml(await cell.exportOdcs(dataset, '1.1.0')) as Record<string, unknown>;
    expect(custom(doc)).toContainEqual({ property: 'renkei.compatibility', value: 'FULL_TRANSITIVE' });
    const same = await cell.importOdcs(withVersion(doc, '1.2.0'));
    expect(same.warnings).toEqual([]);
    const original = await cell.contract(dataset, '1.1.0');
    const strip = ({
      version: _v,
      status: _s,
      current: _c,
      createdAt: _a,
      updatedAt: _u,
      ...rest
    }: typeof original) => rest;
    expect(strip(same.contract)).toEqual(strip(original));
    const noMode = custom(doc).filter((p) => p.property !== 'renkei.compatibility');
    const bare = await cell.importOdcs(withVersion(doc, '1.3.0', { customProperties: noMode }));
    expect(bare.contract).toMatchObject({
      status: 'active',
      current: true,
      compatibility: 'FULL_TRANSITIVE',
    });
    expect(bare.warnings).toEqual([]);

    // Without ?status the document's status is used: a draft stays a draft; deprecated cannot be registered.
    const post = async (yaml: string) =>
      fetch(`${env.platform.endpoints.registry}/contracts/odcs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await cell.platformToken()}`,
          'content-type': 'application/yaml',
        },
        body: yaml,
      });
    const draft = await post(withVersion(doc, '1.4.0', { status: 'draft' }));
    expect(draft.status).toBe(201);
    const drafted = (await draft.json()) as { contract: { status: string; current: boolean } };
    expect(drafted.contract).toMatchObject({ status: 'draft', current: false });
    expect((await cell.contract(dataset, '1.4.0')).status).toBe('draft');
    const deprecated = await post(withVersion(doc, '1.5.0', { status: 'deprecated' }));
    expect(deprecated.status).toBe(400);
    expect(await deprecated.json()).toMatchObject({ errors: [{ path: '/status' }] });
    // The dry run refuses what a publication would: an existing version, a version not above the newest.
    await expectProblem(cell.checkCompatibility(dataset, schemaV1, '1.3.0'), 409, 'CONTRACT.VERSION_EXISTS');
    await expectProblem(
      cell.checkCompatibility(dataset, schemaV1, '1.2.5'),
      409,
      'CONTRACT.VERSION_NOT_INCREASING',
    );
    // An existing draft may be checked: activating it is its publication.
    expect((await cell.checkCompatibility(dataset, schemaV1, '1.4.0')).version).toBe('1.4.0');
    // ?status overrides the document's.
    const overridden = await cell.importOdcs(withVersion(doc, '1.5.0', { status: 'draft' }), 'active');
    expect(overridden.contract).toMatchObject({ status: 'active', current: true });
  });
});
