/**
 * The adversarial suite for the OWASP API Security Top 10 (2023), run against the four services as
 * processes on real Kafka and PostgreSQL. Every case first shows the legitimate call working, then the
 * attack being refused, then (for security refusals) finds the refusal on the hash-chained audit record as
 * a compliance officer would, and checks the chain still verifies (ADR 0018).
 *
 * One platform for the whole file keeps it under a couple of minutes; the describes share its participants:
 * a cell maker (originator), an automaker (its consumer), a competitor, a compliance office.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaConnectionFromEnv } from '@renkei/kafka';
import { importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { eventually } from '../support/eventually.js';
import { expectProblem } from '../support/problems.js';
import {
  participantKey,
  publicJwk,
  repoRoot,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import {
  automaker,
  batteryCfpContract,
  cellMaker,
  competitorCellMaker,
  complianceOffice,
} from '../fixtures/battery-cfp.js';

let env: TestPlatform;
let cell: RenkeiClient;
let auto: RenkeiClient;
let competitor: RenkeiClient;
let compliance: RenkeiClient;
const ids: Record<string, string> = {};
const keys: Record<string, JWK> = {};
let grantId: string;
const INVITED = 'battery.cfp.invited';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

/** A raw HTTP call: the attacks are about what the SDK would never send. */
async function http(
  url: string,
  options: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    if (typeof options.body === 'string') body = options.body;
    else {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.body);
    }
  }
  const res = await fetch(url, { method: options.method ?? 'GET', headers, body });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

interface RefusalEntry {
  seq: number;
  kind: string;
  actor: string;
  allow: boolean | null;
  record: {
    service: string;
    category: string;
    status: number;
    code: string;
    method: string;
    route: string;
    participant: string | null;
    claimed: { sub?: string; iss?: string; verified: false } | null;
    ip: string;
    targets: { type: string; id: string }[];
    count: number;
    firstAt: string;
    lastAt: string;
  };
}

/** The security refusals a compliance officer finds for a query (waits for the flush and, from other services, Kafka). */
async function refusals(
  query: Record<string, string>,
  done: (entries: RefusalEntry[]) => boolean = (e) => e.length > 0,
): Promise<RefusalEntry[]> {
  return eventually(
    async () =>
      (await compliance.auditEntries({ kind: 'security.refusal', limit: '500', ...query }))
        .items as unknown as RefusalEntry[],
    done,
    20_000,
    250,
  );
}

async function expectChainVerifies(): Promise<void> {
  const report = await compliance.auditVerify();
  expect(report.ok, report.problem ?? '').toBe(true);
}

const sameShape = (a: Answer, b: Answer, hide: string[]) => {
  const strip = (x: Answer) => {
    let s = JSON.stringify({ status: x.status, ...x.body });
    for (const h of hide) s = s.split(h).join('<id>');
    return s;
  };
  expect(strip(a)).toBe(strip(b));
};

const lot = (i: number) => ({
  subject: `lot-sec-${i}`,
  payload: { lotId: `lot-sec-${i}`, cellModel: 'KCW-NMC811-50Ah', cfpKgCo2ePerKwh: 50 + i },
});

beforeAll(async () => {
  env = await startTestPlatform('security-owasp', 4421);
  const { platform, admin } = env;
  for (const name of ['cell', 'auto', 'competitor', 'compliance'])
    keys[name] = await participantKey(`${name}-1`);
  const onboarded = await Promise.all([
    admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell!)] } }),
    admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto!)] } }),
    admin.onboard({ ...competitorCellMaker, jwks: { keys: [publicJwk(keys.competitor!)] } }),
    admin.onboard({ ...complianceOffice, jwks: { keys: [publicJwk(keys.compliance!)] } }),
  ]);
  ['cell', 'auto', 'competitor', 'compliance'].forEach((n, i) => (ids[n] = onboarded[i]!.id));
  const client = (n: string) =>
    new RenkeiClient(platform.endpoints, { clientId: ids[n]!, privateJwk: keys[n]! });
  cell = client('cell');
  auto = client('auto');
  competitor = client('competitor');
  compliance = client('compliance');
  await cell.registerContract(batteryCfpContract);
  await cell.registerContract({
    ...batteryCfpContract,
    dataset: INVITED,
    visibility: 'invited',
    invited: [ids.auto!],
  });
  grantId = (await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' })).id;
  await cell.approveGrant(grantId);
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

const clearing = () => env.platform.endpoints.clearing;
const registry = () => env.platform.endpoints.registry;
const exchange = () => env.platform.endpoints.exchange;

// ------------------------------------------------------------------------------------------------ API2

describe('API2 broken authentication: every forged, stale or misdirected credential is refused and recorded', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const platformKey = async () => importJWK(env.secrets.signingKeys[0]!, 'ES256');
  const claims = () => ({ sub: ids.auto!, scope: 'grants:read grants:write', jti: crypto.randomUUID() });
  const signed = async (
    over: { iss?: string; aud?: string; exp?: number; key?: 'platform' | 'attacker'; alg?: string } = {},
  ) => {
    const key =
      over.key === 'attacker'
        ? await importJWK(await participantKey(env.secrets.signingKeys[0]!.kid!), 'ES256')
        : await platformKey();
    return new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: env.secrets.signingKeys[0]!.kid, typ: 'at+jwt' })
      .setIssuer(over.iss ?? 'urn:renkei:clearing')
      .setAudience(over.aud ?? 'urn:renkei:api')
      .setIssuedAt(now() - 600)
      .setNotBefore(now() - 600)
      .setExpirationTime(over.exp ?? now() + 300)
      .sign(key);
  };
  const tokens: string[] = [];

  it('accepts a genuine platform token (the legitimate path)', async () => {
    const genuine = await signed();
    const res = await http(`${clearing()}/grants`, { token: genuine });
    expect(res.status).toBe(200);
  });

  it.each([
    [
      'a signature by another key under the platform kid',
      () => signed({ key: 'attacker' }),
      'TOKEN.INVALID_SIGNATURE',
    ],
    ['an expired token', () => signed({ exp: now() - 120 }), 'TOKEN.EXPIRED'],
    ['a token for the exchange', () => signed({ aud: 'urn:renkei:exchange' }), 'TOKEN.WRONG_AUDIENCE'],
    ['a token from another issuer', () => signed({ iss: 'urn:evil:issuer' }), 'TOKEN.WRONG_ISSUER'],
    [
      'alg none',
      () =>
        Promise.resolve(
          new UnsecuredJWT(claims())
            .setIssuer('urn:renkei:clearing')
            .setAudience('urn:renkei:api')
            .setExpirationTime('5m')
            .encode(),
        ),
      'TOKEN.ALG_NOT_ALLOWED',
    ],
    [
      'HS256 with the public key as secret',
      async () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', kid: env.secrets.signingKeys[0]!.kid })
          .setIssuer('urn:renkei:clearing')
          .setAudience('urn:renkei:api')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(JSON.stringify(publicJwk(env.secrets.signingKeys[0]!)))),
      'TOKEN.ALG_NOT_ALLOWED',
    ],
  ])('refuses %s with 401 and puts it on the audit chain', async (_what, make, code) => {
    const token = await make();
    tokens.push(token);
    const res = await http(`${clearing()}/grants`, { token });
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code });
    expect(res.text).not.toContain('stack');
    const found = await refusals({ code });
    const entry = found.find((e) => e.record.route === '/grants' && e.record.claimed?.sub === ids.auto);
    expect(entry, `a ${code} refusal on /grants claiming ${ids.auto}`).toBeDefined();
    // The actor is not the participant the forged token names: the claim is kept, marked unverified.
    expect(entry!.actor).toBe('unauthenticated');
    expect(entry!.record).toMatchObject({ service: 'clearing', category: 'authentication', method: 'GET' });
    expect(entry!.record.claimed).toMatchObject({ verified: false });
    expect(entry!.allow).toBe(false);
  });

  it('keeps no token on the chain, and shows refused tokens that claimed a participant under that participant', async () => {
    const entries = await refusals({ participant: ids.auto! }, (e) => e.length >= 6);
    const dump = JSON.stringify(entries);
    for (const t of tokens) {
      expect(dump).not.toContain(t);
      expect(dump).not.toContain(t.split('.')[2] || t);
    }
    expect(new Set(entries.map((e) => e.record.code))).toEqual(
      new Set([
        'TOKEN.INVALID_SIGNATURE',
        'TOKEN.EXPIRED',
        'TOKEN.WRONG_AUDIENCE',
        'TOKEN.WRONG_ISSUER',
        'TOKEN.ALG_NOT_ALLOWED',
      ]),
    );
  });

  it('refuses a replayed client assertion (single-use jti) and records the claimed client', async () => {
    const assertion = await auto.clientAssertion();
    const form = (a: string) =>
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: a,
      }).toString();
    const post = (a: string) =>
      http(`${clearing()}/oauth/token`, {
        method: 'POST',
        body: form(a),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    expect((await post(assertion)).status).toBe(200);
    const replay = await post(assertion);
    expect({ status: replay.status, code: replay.body.code }).toEqual({
      status: 401,
      code: 'AUTH.ASSERTION_REPLAYED',
    });
    const [entry] = await refusals({ code: 'AUTH.ASSERTION_REPLAYED' });
    expect(entry!.record).toMatchObject({
      route: '/oauth/token',
      claimed: { sub: ids.auto, iss: ids.auto, verified: false },
    });
    expect(JSON.stringify(entry)).not.toContain(assertion.split('.')[2]!);
  });

  it('refuses a dataset token used for another dataset at the exchange, recorded through Kafka', async () => {
    const token = await cell.datasetToken('battery.cfp', 'publish');
    expect((await cell.publish('battery.cfp', token, [lot(1)])).accepted).toBe(1);
    await expectProblem(cell.publish(INVITED, token, [lot(2)]), 403, 'TOKEN.INSUFFICIENT_SCOPE');
    const [entry] = await refusals({ code: 'TOKEN.INSUFFICIENT_SCOPE', participant: ids.cell! });
    expect(entry!.record).toMatchObject({
      service: 'exchange',
      route: '/datasets/:dataset/events',
      participant: ids.cell,
      category: 'authorization',
    });
    await expectChainVerifies();
  });

  it('aggregates a burst of refusals into one entry with a count, so the chain cannot be flooded', async () => {
    const before = (await refusals({ code: 'TOKEN.MALFORMED' }, () => true)).length;
    const burst = 60;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: burst }, () => http(`${clearing()}/notifications`, { token: 'not.a.jwt' })),
    );
    const windows = Math.ceil((Date.now() - started) / 1000) + 1;
    const entries = await refusals(
      { code: 'TOKEN.MALFORMED' },
      (e) =>
        e.filter((x) => x.record.route === '/notifications').reduce((n, x) => n + x.record.count, 0) >= burst,
    );
    const mine = entries.filter((x) => x.record.route === '/notifications');
    expect(mine.reduce((n, x) => n + x.record.count, 0)).toBe(burst);
    // One record per flush window (1 s) the burst spanned, not one per request.
    expect(entries.length - before).toBeLessThanOrEqual(Math.min(windows, 5));
  });
});

// ------------------------------------------------------------------------------------------------ API1

describe('API1 broken object level authorisation: another tenant’s objects are invisible, and probing them is recorded', () => {
  it("answers a stranger's grant exactly like a missing one, and records only the former", async () => {
    const mine = await auto.platformToken();
    expect((await http(`${clearing()}/grants/${grantId}`, { token: mine })).status).toBe(200);
    const token = await competitor.platformToken();
    const missing = crypto.randomUUID();
    const theirs = await http(`${clearing()}/grants/${grantId}`, { token });
    const none = await http(`${clearing()}/grants/${missing}`, { token });
    expect(theirs.status).toBe(404);
    sameShape(theirs, none, [grantId, missing]);
    const entries = await refusals({ code: 'GRANT.NOT_FOUND', participant: ids.competitor! });
    const entry = entries.find((e) => e.record.route === '/grants/:id' && e.record.method === 'GET')!;
    expect(entry.record).toMatchObject({
      category: 'ownership',
      status: 404,
      participant: ids.competitor,
      targets: [{ type: 'grant', id: grantId }],
    });
    expect(JSON.stringify(entries)).not.toContain(missing);
  });

  it("hides another originator's usage and receipts as if the dataset did not exist", async () => {
    expect((await cell.auditUsage({ dataset: 'battery.cfp' })).datasets).toEqual(['battery.cfp']);
    const token = await competitor.platformToken();
    const theirs = await http(`${clearing()}/audit/usage?dataset=battery.cfp`, { token });
    const none = await http(`${clearing()}/audit/usage?dataset=no.such.dataset`, { token });
    expect(theirs.status).toBe(404);
    sameShape(theirs, none, ['battery.cfp', 'no.such.dataset']);
    const entries = await refusals({ code: 'AUDIT.DATASET_NOT_FOUND' });
    expect(entries.flatMap((e) => e.record.targets)).toEqual([{ type: 'dataset', id: 'battery.cfp' }]);
  });

  it('keeps an invited-only dataset invisible to the uninvited, recorded by the registry through Kafka', async () => {
    expect((await auto.contract(INVITED)).dataset).toBe(INVITED);
    const token = await competitor.platformToken();
    const theirs = await http(`${registry()}/contracts/${INVITED}/versions/1.0.0`, { token });
    const none = await http(`${registry()}/contracts/no.such.set/versions/1.0.0`, { token });
    expect(theirs.status).toBe(404);
    sameShape(theirs, none, [INVITED, 'no.such.set']);
    const entries = await refusals({ code: 'CONTRACT.NOT_FOUND', participant: ids.competitor! });
    expect(entries[0]!.record).toMatchObject({ service: 'registry', category: 'ownership' });
    expect(entries.flatMap((e) => e.record.targets)).toContainEqual({ type: 'dataset', id: INVITED });
  });

  it("keeps another originator's draft version invisible, answered like a missing version", async () => {
    await cell.registerContract({ ...batteryCfpContract, dataset: 'battery.cfp.draft', status: 'draft' });
    expect((await cell.contract('battery.cfp.draft', '1.0.0')).dataset).toBe('battery.cfp.draft');
    const token = await auto.platformToken();
    const theirs = await http(`${registry()}/contracts/battery.cfp.draft/versions/1.0.0`, { token });
    const none = await http(`${registry()}/contracts/battery.cfp.nodraft/versions/1.0.0`, { token });
    expect(theirs.status).toBe(404);
    sameShape(theirs, none, ['battery.cfp.draft', 'battery.cfp.nodraft']);
    const entries = await refusals({ code: 'CONTRACT.NOT_FOUND', participant: ids.auto! });
    expect(entries.flatMap((e) => e.record.targets)).toEqual([{ type: 'dataset', id: 'battery.cfp.draft' }]);
  });

  it("refuses a subscribe token for a stranger's grant", async () => {
    await expectProblem(competitor.datasetToken('battery.cfp', 'subscribe', grantId), 404, 'GRANT.NOT_FOUND');
    const entries = await refusals({ code: 'GRANT.NOT_FOUND', participant: ids.competitor! }, (e) =>
      e.some((x) => x.record.route === '/tokens/dataset'),
    );
    expect(entries.find((x) => x.record.route === '/tokens/dataset')!.record.targets).toEqual([
      { type: 'grant', id: grantId },
    ]);
    await expectChainVerifies();
  });
});

describe('API1 (continued): notifications, deletion obligations, person consents and data keys', () => {
  it("answers a stranger's notification like a missing one", async () => {
    await cell.registerContract({
      ...batteryCfpContract,
      version: '1.1.0',
      schema: {
        ...batteryCfpContract.schema,
        properties: { ...batteryCfpContract.schema.properties, plantId: { type: 'string' } },
      },
    });
    const notes = await eventually(
      () => auto.notifications(),
      (n) => n.length > 0,
    );
    const id = notes[0]!.id;
    expect((await auto.markNotificationRead(id)).id).toBe(id);
    const token = await competitor.platformToken();
    const missing = crypto.randomUUID();
    const theirs = await http(`${clearing()}/notifications/${id}/read`, { method: 'POST', token });
    const none = await http(`${clearing()}/notifications/${missing}/read`, { method: 'POST', token });
    expect(theirs.status).toBe(404);
    sameShape(theirs, none, [id, missing]);
    const [entry] = await refusals({ code: 'NOTIFICATION.NOT_FOUND' });
    expect(entry!.record).toMatchObject({
      participant: ids.competitor,
      route: '/notifications/:id/read',
      targets: [{ type: 'notification', id }],
      count: 1,
    });
  });

  it("answers a stranger's deletion obligation like a missing one", async () => {
    const g = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure', deletionDays: 3 });
    await cell.approveGrant(g.id);
    await cell.revokeGrant(g.id, 'security suite');
    const [obligation] = await auto.deletionObligations({ grant: g.id });
    expect(obligation).toBeDefined();
    expect((await auto.deletionObligation(obligation!.id)).id).toBe(obligation!.id);
    const token = await competitor.platformToken();
    const missing = crypto.randomUUID();
    const theirs = await http(`${clearing()}/deletion-obligations/${obligation!.id}`, { token });
    const none = await http(`${clearing()}/deletion-obligations/${missing}`, { token });
    expect(theirs.status).toBe(404);
    sameShape(theirs, none, [obligation!.id, missing]);
    const [entry] = await refusals({ code: 'DELETION.NOT_FOUND' });
    expect(entry!.record.targets).toEqual([{ type: 'deletion-obligation', id: obligation!.id }]);
  });

  it("refuses person consents for another originator's dataset like an unknown one", async () => {
    expect((await cell.optOut('patient-sec-1', 'battery.cfp')).dataset).toBe('battery.cfp');
    const token = await competitor.platformToken();
    const post = (dataset: string) =>
      http(`${clearing()}/person-consents/opt-out`, {
        method: 'POST',
        token,
        body: { subjectRef: 'patient-sec-1', dataset },
      });
    const theirs = await post('battery.cfp');
    const none = await post('no.such.dataset');
    expect(theirs.status).toBe(404);
    sameShape(theirs, none, ['battery.cfp', 'no.such.dataset']);
    const entries = await refusals({ code: 'CONTRACT.NOT_FOUND', participant: ids.competitor! }, (e) =>
      e.some((x) => x.record.route === '/person-consents/opt-out'),
    );
    expect(entries.find((x) => x.record.route === '/person-consents/opt-out')!.record.targets).toEqual([
      { type: 'dataset', id: 'battery.cfp' },
    ]);
  });

  it("refuses destroying another originator's data keys", async () => {
    await competitor.registerContract({ ...batteryCfpContract, dataset: 'tohoku.keys' });
    expect((await competitor.destroyDatasetKeys('tohoku.keys', 'legitimate')).dataset).toBe('tohoku.keys');
    await expectProblem(competitor.destroyDatasetKeys('battery.cfp', 'attack'), 403, 'CONTRACT.NOT_OWNER');
    const [entry] = await refusals({ code: 'CONTRACT.NOT_OWNER', participant: ids.competitor! });
    expect(entry!.record).toMatchObject({
      route: '/datasets/:dataset/keys/destroy',
      category: 'authorization',
    });
    await expectChainVerifies();
  });
});

// ------------------------------------------------------------------------------------------------ API3

describe('API3 broken object property level authorisation: fields a caller may not set are never honoured', () => {
  it('ignores state, originator and approver smuggled into an access request', async () => {
    const token = await auto.platformToken();
    const res = await http(`${clearing()}/grants`, {
      method: 'POST',
      token,
      body: {
        dataset: 'battery.cfp',
        purpose: 'due-diligence',
        state: 'granted',
        originator: ids.auto,
        consumer: ids.competitor,
        approvedBy: ids.cell,
        id: '00000000-0000-4000-8000-000000000000',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'requested', originator: ids.cell, consumer: ids.auto });
    expect(res.body.id).not.toBe('00000000-0000-4000-8000-000000000000');
    // The originator turns the request down, so the consumer may ask again for this purpose (API6).
    const rejected = await http(`${clearing()}/grants/${String(res.body.id)}/reject`, {
      method: 'POST',
      token: await cell.platformToken(),
      body: { reason: 'not for this purpose' },
    });
    expect(rejected.status).toBe(200);
  });

  it('registers a contract for the caller whatever owner the body names', async () => {
    const token = await competitor.platformToken();
    const res = await http(`${registry()}/contracts`, {
      method: 'POST',
      token,
      body: { ...batteryCfpContract, dataset: 'tohoku.cfp', owner: ids.cell, ownerId: ids.cell },
    });
    expect(res.status).toBe(201);
    expect(await competitor.contract('tohoku.cfp')).toMatchObject({ owner: ids.competitor });
  });

  it('refuses a lifecycle status a new version may not start in, naming the field', async () => {
    const token = await competitor.platformToken();
    const res = await http(`${registry()}/contracts`, {
      method: 'POST',
      token,
      body: { ...batteryCfpContract, dataset: 'tohoku.cfp.retired', status: 'retired' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ path: '/status' }));
    await expectProblem(competitor.contract('tohoku.cfp.retired'), 404, 'CONTRACT.NOT_FOUND');
  });
});

// ------------------------------------------------------------------------------------------------ API5

describe('API5 broken function level authorisation: members cannot call admin or compliance functions', () => {
  it.each([
    ['onboard a participant', 'registry', 'POST', '/participants', { ...cellMaker, jwks: { keys: [] } }],
    ['suspend a participant', 'registry', 'POST', () => `/participants/${ids.cell}/suspend`, undefined],
    ['read the audit record', 'clearing', 'GET', '/audit/entries', undefined],
    ['sign an audit checkpoint', 'clearing', 'POST', '/audit/checkpoints', undefined],
    ['rotate the signing key', 'clearing', 'POST', '/admin/signing-keys/rotate', {}],
  ] as const)(
    'refuses a member trying to %s with 403, recorded under that member',
    async (_what, svc, method, path, body) => {
      const url = `${svc === 'registry' ? registry() : clearing()}${typeof path === 'function' ? path() : path}`;
      const res = await http(url, { method, token: await auto.platformToken(), body });
      expect(res.status).toBe(403);
      const route = (typeof path === 'function' ? '/participants/:id/suspend' : path) as string;
      const entries = await refusals({ participant: ids.auto!, code: String(res.body.code) }, (e) =>
        e.some((x) => x.record.route === route && x.record.method === method),
      );
      const entry = entries.find((x) => x.record.route === route && x.record.method === method);
      expect(entry?.record).toMatchObject({ service: svc, category: 'authorization', participant: ids.auto });
    },
  );

  it('lets the compliance officer do what the member could not (the legitimate path)', async () => {
    expect((await compliance.auditEntries({ limit: '1' })).items.length).toBe(1);
    await expectChainVerifies();
  });
});

// ------------------------------------------------------------------------------------------------ API6

describe('API6 sensitive business flows: nobody approves, suspends or revokes what is not theirs to decide', () => {
  it('does not let a consumer approve its own request', async () => {
    const own = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'due-diligence' });
    await expectProblem(auto.approveGrant(own.id), 404, 'GRANT.NOT_FOUND');
    expect((await auto.grants()).find((g) => g.id === own.id)?.state).toBe('requested');
    const entries = await refusals({ code: 'GRANT.NOT_FOUND', participant: ids.auto! }, (e) =>
      e.some((x) => x.record.route === '/grants/:id/approve'),
    );
    expect(entries.find((x) => x.record.route === '/grants/:id/approve')!.record.targets).toEqual([
      { type: 'grant', id: own.id },
    ]);
    // The originator can (the legitimate path).
    expect((await cell.approveGrant(own.id)).state).toBe('granted');
  });

  it("does not let a third party revoke or suspend someone else's grant", async () => {
    const token = await competitor.platformToken();
    for (const verb of ['revoke', 'suspend']) {
      const res = await http(`${clearing()}/grants/${grantId}/${verb}`, { method: 'POST', token, body: {} });
      expect({ verb, status: res.status, code: res.body.code }).toEqual({
        verb,
        status: 404,
        code: 'GRANT.NOT_FOUND',
      });
    }
    expect((await auto.grants()).find((g) => g.id === grantId)?.state).toBe('granted');
    const entries = await refusals({ code: 'GRANT.NOT_FOUND', participant: ids.competitor! }, (e) =>
      ['/grants/:id/revoke', '/grants/:id/suspend'].every((r) => e.some((x) => x.record.route === r)),
    );
    expect(
      entries.filter((x) => x.record.route !== '/grants/:id' && x.record.route !== '/tokens/dataset').length,
    ).toBe(2);
    await expectChainVerifies();
  });
});

// ------------------------------------------------------------------------------------------------ API8

describe('API8 security misconfiguration: error answers carry no internals', () => {
  it.each([
    [
      'malformed JSON',
      () => `${clearing()}/grants`,
      { method: 'POST', body: '{"dataset":', headers: { 'content-type': 'application/json' } },
    ],
    ['an unknown route', () => `${registry()}/no/such/route`, {}],
    [
      'a wrong content type',
      () => `${clearing()}/grants`,
      { method: 'POST', body: '<x/>', headers: { 'content-type': 'application/xml' } },
    ],
  ] as const)(
    'answers %s with problem+json and no stack, path or library internals',
    async (_what, url, init) => {
      const res = await http(url(), { ...init, token: await auto.platformToken() });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.code).toEqual(expect.any(String));
      for (const leak of ['stack', 'node_modules', '/work/', '.ts:', '.js:', 'prisma', 'Prisma', 'at ']) {
        expect(res.text, leak).not.toContain(leak);
      }
    },
  );
});

// ------------------------------------------------------------------------------------------------ API9

/** Every route the Nest controllers declare, from their own metadata (what Fastify serves). */
async function declaredRoutes(service: string): Promise<Set<string>> {
  const methods = ['get', 'post', 'put', 'delete', 'patch', 'all', 'options', 'head'];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.controller.ts')) files.push(p);
    }
  };
  walk(join(repoRoot, 'apps', service, 'src'));
  files.push(join(repoRoot, 'libs/platform/src/health.controller.ts'));
  const routes = new Set<string>();
  for (const file of files) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const cls of Object.values(mod)) {
      if (typeof cls !== 'function') continue;
      const base = Reflect.getMetadata('path', cls) as string | undefined;
      if (base === undefined) continue;
      const proto = (cls as { prototype: Record<string, unknown> }).prototype;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const fn = proto[name];
        if (typeof fn !== 'function' || name === 'constructor') continue;
        const path = Reflect.getMetadata('path', fn) as string | undefined;
        const method = Reflect.getMetadata('method', fn) as number | undefined;
        if (path === undefined || method === undefined) continue;
        const full = `/${[base, path].filter((s) => s && s !== '/').join('/')}`
          .replace(/\/+/g, '/')
          .replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        const excluded = Reflect.getMetadata('swagger/apiExcludeEndpoint', fn) as
          { disable?: boolean } | undefined;
        routes.add(
          `${methods[method]!.toUpperCase()} ${full === '/' ? '/' : full.replace(/\/$/, '')}${excluded?.disable ? ' (excluded)' : ''}`,
        );
      }
    }
  }
  return routes;
}

describe('API9 improper inventory management: every served route is documented, and nothing else', () => {
  it.each([
    ['registry', () => registry()],
    ['clearing', () => clearing()],
    ['exchange', () => exchange()],
    ['cps-sim', () => env.platform.endpoints.cpsSim],
  ] as const)('documents exactly the routes %s serves', async (service, base) => {
    const served = await declaredRoutes(service);
    expect(served.size).toBeGreaterThan(1);
    const doc = (await (await fetch(`${base()}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths))
      for (const m of Object.keys(ops)) if (methodsOf.has(m)) documented.add(`${m.toUpperCase()} ${path}`);
    // Nothing is hidden from the inventory: an excluded endpoint would show up here as a finding.
    expect([...served].filter((r) => r.endsWith('(excluded)'))).toEqual([]);
    expect([...served].filter((r) => !documented.has(r)).sort(), 'served but not documented').toEqual([]);
    expect([...documented].filter((r) => !served.has(r)).sort(), 'documented but not served').toEqual([]);
  });
});
const methodsOf = new Set(['get', 'post', 'put', 'delete', 'patch', 'options', 'head']);

// ------------------------------------------------------------------------------------------------ API10

describe('API10 unsafe consumption of APIs: malformed messages on the platform topics crash nothing', () => {
  it('skips garbage on the audit, registry and clearing topics and goes on with the next message', async () => {
    const kafka = new Kafka({
      clientId: 'sec-attacker',
      brokers: process.env.KAFKA_BROKERS!.split(','),
      logLevel: logLevel.NOTHING,
      ...kafkaConnectionFromEnv(),
    });
    const producer = kafka.producer();
    await producer.connect();
    const p = env.topicPrefix;
    const garbage = [
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      'null',
      '[]',
      '"a string"',
      '{}',
      '{"decisionId":42,"decidedAt":"never"}',
      '{"decisionId":"7a0b0c0d-0000-4000-8000-000000000001","decidedAt":"not a date","allow":"yes"}',
      '{"type":"grant.changed"}',
      '{"type":"participant.upserted","participant":null}',
      '{"id":"not-a-uuid","service":"x","code":"X","count":-1}',
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    ];
    try {
      for (const topic of [
        `${p}.audit.decisions`,
        `${p}.audit.refusals`,
        `${p}.registry.events`,
        `${p}.clearing.events`,
      ]) {
        await producer.send({ topic, messages: garbage.map((value) => ({ value })) });
      }
    } finally {
      await producer.disconnect();
    }
    // Still healthy, and the consumers behind the garbage still work: a new publish decision (exchange →
    // audit.decisions), a new refusal (registry → audit.refusals) and a new grant (clearing.events → exchange).
    for (const base of [registry(), clearing(), exchange()])
      expect((await fetch(`${base}/health`)).status).toBe(200);
    const token = await cell.datasetToken('battery.cfp', 'publish');
    const published = await cell.publish('battery.cfp', token, [lot(99)]);
    const decisions = await eventually(
      async () =>
        (await compliance.auditEntries({ kind: 'decision', dataset: 'battery.cfp', limit: '500' })).items,
      (items) => items.some((i) => JSON.stringify(i.record).includes(published.eventIds[0]!)),
      20_000,
      250,
    );
    expect(decisions.some((i) => JSON.stringify(i.record).includes(published.eventIds[0]!))).toBe(true);
    const reg = await http(`${registry()}/participants`, { token: await competitor.platformToken() });
    expect(reg.status).toBe(403);
    await refusals({ participant: ids.competitor!, code: String(reg.body.code) }, (e) =>
      e.some((x) => x.record.service === 'registry' && x.record.route === '/participants'),
    );
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    await expectChainVerifies();
  });
});
