/**
 * The first governed exchange, end to end over HTTP, exactly as member companies drive it: a cell maker
 * shares battery carbon footprints with an automaker under a contract, a grant and the compiled policy,
 * on real Kafka and PostgreSQL, with all four services running as processes.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient, RenkeiError, type DeliveryStream, type StreamLine } from '@renkei/sdk';
import type { RunningPlatform, Secrets } from '../support/platform.js';
import { expectDocumented } from '../support/openapi-conformance.js';
import { expectProblem } from '../support/problems.js';
import { readTopicUntil } from '../support/topic-reader.js';
import {
  participantKey as newKey,
  publicJwk,
  startTestPlatform,
  type TestPlatform,
} from '../support/test-platform.js';
import {
  batteryCfpContract,
  cellMaker,
  automaker,
  complianceOffice,
  competitorCellMaker,
} from '../fixtures/battery-cfp.js';

let env: TestPlatform;
let platform: RunningPlatform;
let secrets: Secrets;
const NDJSON = 'application/x-ndjson';

/** Reads stream lines until `until` matches, the stream ends, or the time runs out. */
async function collect(
  stream: DeliveryStream,
  until: (seen: StreamLine[]) => boolean,
  timeoutMs = 15_000,
): Promise<StreamLine[]> {
  const seen: StreamLine[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = await stream.read(deadline - Date.now());
    if (!line) break;
    // Every line, heartbeats too, is one the exchange document describes (the SDK's StreamLine).
    await expectDocumented(platform.endpoints.exchange, 'GET /datasets/{dataset}/stream', line, 200, NDJSON);
    if (line.type === 'heartbeat') continue;
    seen.push(line);
    if (until(seen) || line.type === 'end') break;
  }
  return seen;
}

const events = (seen: StreamLine[]) => seen.flatMap((l) => (l.type === 'event' ? [l.event] : []));

describe('battery CFP: the first governed exchange', () => {
  /** The 403 of the purpose the contract does not allow, compared with its audit entry at the end. */
  let purposeRefusal: RenkeiError | undefined;
  let admin: RenkeiClient;
  let cell: RenkeiClient;
  let auto: RenkeiClient;
  let compliance: RenkeiClient;
  const keys: Record<string, JWK> = {};
  const ids: Record<string, string> = {};
  let grantId: string;
  let publishToken: string;
  let subscribeToken: string;
  let openStream: DeliveryStream;
  const acceptedIds: string[] = [];

  beforeAll(async () => {
    env = await startTestPlatform('e2e', 4101);
    ({ platform, secrets, admin } = env);
    for (const name of ['cell', 'auto', 'compliance', 'competitor'])
      keys[name] = await newKey(`${name}-key-1`);
  });

  afterAll(async () => {
    openStream?.close();
    await env?.stop();
  });

  it('lets the consortium admin onboard participants with valid corporate numbers', async () => {
    const onboarded = await Promise.all([
      admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(keys.cell!)] } }),
      admin.onboard({ ...automaker, jwks: { keys: [publicJwk(keys.auto!)] } }),
      admin.onboard({ ...complianceOffice, jwks: { keys: [publicJwk(keys.compliance!)] } }),
      admin.onboard({ ...competitorCellMaker, jwks: { keys: [publicJwk(keys.competitor!)] } }),
    ]);
    ['cell', 'auto', 'compliance', 'competitor'].forEach((name, i) => (ids[name] = onboarded[i]!.id));
    const endpoints = platform.endpoints;
    cell = new RenkeiClient(endpoints, { clientId: ids.cell!, privateJwk: keys.cell! });
    auto = new RenkeiClient(endpoints, { clientId: ids.auto!, privateJwk: keys.auto! });
    compliance = new RenkeiClient(endpoints, { clientId: ids.compliance!, privateJwk: keys.compliance! });
    expect(onboarded.map((p) => p.legalName)).toEqual([
      cellMaker.legalName,
      automaker.legalName,
      complianceOffice.legalName,
      competitorCellMaker.legalName,
    ]);
  });

  it('refuses a corporate number whose check digit is wrong, naming the field', async () => {
    const wrong = `${(Number(cellMaker.corporateNumber[0]) + 1) % 10}${cellMaker.corporateNumber.slice(1)}`;
    const error = await expectProblem(
      admin.onboard({ ...cellMaker, corporateNumber: wrong, jwks: { keys: [publicJwk(keys.cell!)] } }),
      400,
      'PARTICIPANT.INVALID_IDENTIFIER',
    );
    expect(error.problem.errors).toEqual([expect.objectContaining({ path: '/corporateNumber' })]);
  });

  it('refuses onboarding by anyone but the consortium admin', async () => {
    await expectProblem(
      cell.onboard({
        ...automaker,
        corporateNumber: '1011101012345',
        jwks: { keys: [publicJwk(keys.auto!)] },
      }),
      403,
      'TOKEN.INSUFFICIENT_SCOPE',
    );
  });

  it('authenticates participants by private_key_jwt and refuses a replayed assertion', async () => {
    const assertion = await cell.clientAssertion();
    const form = (a: string) =>
      fetch(`${platform.endpoints.clearing}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: a,
        }),
      });
    const first = await form(assertion);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number) });
    const replay = await form(assertion);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'AUTH.ASSERTION_REPLAYED' });
  });

  it('refuses an assertion signed with a key the participant did not register', async () => {
    const impostor = new RenkeiClient(platform.endpoints, {
      clientId: ids.cell!,
      privateJwk: await newKey('impostor'),
    });
    await expectProblem(impostor.platformToken(), 401, 'AUTH.INVALID_CLIENT_ASSERTION');
  });

  it('publishes its JWKS with public keys only', async () => {
    const jwks = (await (await fetch(`${platform.endpoints.clearing}/.well-known/jwks.json`)).json()) as {
      keys: JWK[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('lets the cell maker register the battery.cfp contract', async () => {
    const contract = await cell.registerContract(batteryCfpContract);
    expect(contract).toMatchObject({
      dataset: 'battery.cfp',
      version: '1.0.0',
      owner: ids.cell,
      status: 'active',
    });
    await expectProblem(cell.registerContract(batteryCfpContract), 409, 'CONTRACT.VERSION_EXISTS');
    const catalog = await auto.catalog();
    expect(catalog.items.map((c) => c.dataset)).toContain('battery.cfp');
  });

  it('refuses an access request for a purpose the contract does not allow, and says why', async () => {
    const error = await expectProblem(
      auto.requestGrant({ dataset: 'battery.cfp', purpose: 'price-benchmarking' }),
      403,
      'PURPOSE.NOT_ALLOWED',
    );
    const why =
      "purpose 'price-benchmarking' is not among the contract's purposes cfp-disclosure, due-diligence";
    expect([error.rule, error.explanation]).toEqual(['PURPOSE.NOT_ALLOWED', why]);
    expect(error.explanations).toEqual([
      {
        code: 'PURPOSE.NOT_ALLOWED',
        message: why,
        params: {
          action: 'grant.request',
          purpose: 'price-benchmarking',
          grantPurpose: null,
          purposes: ['cfp-disclosure', 'due-diligence'],
        },
      },
    ]);
    expect(error.detail).toBe(`The access request was denied by policy (PURPOSE.NOT_ALLOWED): ${why}`);
    await expectDocumented(
      platform.endpoints.clearing,
      'POST /grants',
      error.problem,
      403,
      'application/problem+json',
    );
    purposeRefusal = error;
  });

  it('grants the automaker access for its stated purpose and issues a dataset-scoped token', async () => {
    const requested = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    expect(requested.state).toBe('requested');
    grantId = requested.id;
    await expectProblem(auto.datasetToken('battery.cfp', 'subscribe', grantId), 403, 'GRANT.NOT_ACTIVE');
    await expectProblem(auto.approveGrant(grantId), 404, 'GRANT.NOT_FOUND');
    expect((await cell.approveGrant(grantId, 'CFP disclosure for model year 2027')).state).toBe('granted');
    subscribeToken = await auto.datasetToken('battery.cfp', 'subscribe', grantId);
    publishToken = await cell.datasetToken('battery.cfp', 'publish');
    await expectProblem(auto.datasetToken('battery.cfp', 'publish'), 403, 'SUBJECT.NOT_OWNER');
  });

  it('delivers published events to the automaker, acknowledged only once Kafka has them', async () => {
    openStream = await auto.stream('battery.cfp', subscribeToken);
    const lots = Array.from({ length: 5 }, (_, i) => ({
      subject: `lot-2026-11-${String(i).padStart(4, '0')}`,
      payload: {
        lotId: `lot-2026-11-${String(i).padStart(4, '0')}`,
        cellModel: 'KCW-NMC811-50Ah',
        cfpKgCo2ePerKwh: 60 + i,
        unitPriceJpy: 9800,
      },
    }));
    const result = await cell.publish('battery.cfp', publishToken, lots);
    expect(result.accepted).toBe(5);
    acceptedIds.push(...result.eventIds);
    const seen = await collect(openStream, (s) => events(s).length >= 5);
    const received = events(seen);
    expect(received.map((e) => e.id).sort()).toEqual([...result.eventIds].sort());
    expect(received[0]).toMatchObject({
      dataset: 'battery.cfp',
      originator: ids.cell,
      contractVersion: '1.0.0',
    });
    // Different industry: the automaker may see the price field (competitive fields are withheld from competitors only).
    expect(received[0]!.payload).toHaveProperty('cfpKgCo2ePerKwh');
  });

  it('refuses a second stream on the same grant while one is open', async () => {
    await expectProblem(auto.stream('battery.cfp', subscribeToken), 409, 'STREAM.ALREADY_OPEN');
  });

  it('withholds competitive fields from a participant in the originator’s industry', async () => {
    const competitor = new RenkeiClient(platform.endpoints, {
      clientId: ids.competitor!,
      privateJwk: keys.competitor!,
    });
    const grant = await competitor.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    // The lots were published before this grant: the originator lets it cover them.
    const approved = await cell.approveGrant(grant.id, null, { historyFrom: 'all' });
    expect(approved).toMatchObject({ historyFrom: 'all', historyRequested: null });
    await expectDocumented(platform.endpoints.clearing, 'POST /grants/{id}/approve', approved);
    const stream = await competitor.stream(
      'battery.cfp',
      await competitor.datasetToken('battery.cfp', 'subscribe', grant.id),
    );
    const received = events(await collect(stream, (s) => events(s).length >= 5));
    stream.close();
    expect(received).toHaveLength(5);
    for (const e of received) {
      expect(e.payload).not.toHaveProperty('unitPriceJpy');
      expect(e.payload).toHaveProperty('cfpKgCo2ePerKwh');
    }
  });

  it('delivers only the fields a grant is limited to, whatever else the payload carries', async () => {
    const grant = await auto.requestGrant({
      dataset: 'battery.cfp',
      purpose: 'cfp-disclosure',
      fields: ['lotId', 'cfpKgCo2ePerKwh'],
    });
    await cell.approveGrant(grant.id, null, { historyFrom: 'all' });
    const stream = await auto.stream(
      'battery.cfp',
      await auto.datasetToken('battery.cfp', 'subscribe', grant.id),
    );
    const received = events(await collect(stream, (s) => events(s).length >= 5));
    stream.close();
    expect(received).toHaveLength(5);
    for (const e of received) {
      expect(Object.keys(e.payload).sort()).toEqual(['cfpKgCo2ePerKwh', 'lotId']);
    }
  });

  it('ends a suspended participant’s stream at once and refuses its tokens until it is reactivated', async () => {
    const competitor = new RenkeiClient(platform.endpoints, {
      clientId: ids.competitor!,
      privateJwk: keys.competitor!,
    });
    const [grant] = await competitor.grants();
    const stream = await competitor.stream(
      'battery.cfp',
      await competitor.datasetToken('battery.cfp', 'subscribe', grant!.id),
    );
    await admin.suspendParticipant(ids.competitor!);
    expect((await collect(stream, () => false, 5_000)).at(-1)).toMatchObject({
      type: 'end',
      code: 'SUBJECT.NOT_ACTIVE',
    });
    await expectProblem(
      new RenkeiClient(platform.endpoints, {
        clientId: ids.competitor!,
        privateJwk: keys.competitor!,
      }).platformToken(),
      403,
      'PARTICIPANT.SUSPENDED',
    );
    await expectProblem(
      competitor.registerContract({ ...batteryCfpContract, dataset: 'battery.cfp-rival' }),
      403,
      'PARTICIPANT.SUSPENDED',
    );
    await admin.reactivateParticipant(ids.competitor!);
    await expect(competitor.datasetToken('battery.cfp', 'subscribe', grant!.id)).resolves.toEqual(
      expect.any(String),
    );
  });

  describe('bad input gets a clear 4xx with a stable code', () => {
    const post = (path: string, body: string, token: string) =>
      fetch(`${platform.endpoints.exchange}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });

    it('rejects malformed JSON', async () => {
      const res = await post('/datasets/battery.cfp/events', '{"events": [', publishToken);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'REQUEST.MALFORMED_JSON' });
    });

    it('rejects a schema violation naming the failing path, and publishes nothing of the batch', async () => {
      const res = await post(
        '/datasets/battery.cfp/events',
        JSON.stringify({
          events: [
            { payload: { lotId: 'ok-1', cellModel: 'X', cfpKgCo2ePerKwh: 50 } },
            { payload: { lotId: 'bad-1', cellModel: 'X', cfpKgCo2ePerKwh: 'sixty' } },
          ],
        }),
        publishToken,
      );
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { code: string; errors: { path: string; message: string }[] };
      expect(problem.code).toBe('CONTRACT.SCHEMA_VIOLATION');
      expect(problem.errors).toEqual([
        { path: '/events/1/payload/cfpKgCo2ePerKwh', message: 'must be number' },
      ]);
    });

    it('rejects an unknown dataset', async () => {
      await expectProblem(cell.datasetToken('battery.unknown', 'publish'), 404, 'CONTRACT.NOT_FOUND');
      const res = await post(
        '/datasets/battery.unknown/events',
        JSON.stringify({ events: [{ payload: {} }] }),
        publishToken,
      );
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'TOKEN.INSUFFICIENT_SCOPE' });
    });

    it('rejects an expired token', async () => {
      const key = secrets.signingKeys[0]!;
      const expired = await new SignJWT({ scope: 'publish:battery.cfp', jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setIssuer('urn:renkei:clearing')
        .setAudience('urn:renkei:exchange')
        .setSubject(ids.cell!)
        .setIssuedAt(Math.floor(Date.now() / 1000) - 900)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 600)
        .sign(await importJWK(key, 'ES256'));
      const res = await post(
        '/datasets/battery.cfp/events',
        JSON.stringify({ events: [{ payload: {} }] }),
        expired,
      );
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'TOKEN.EXPIRED' });
    });

    it('rejects a forged token (signed by a key that is not the platform’s)', async () => {
      const forger = await newKey(secrets.signingKeys[0]!.kid!);
      const forged = await new SignJWT({ scope: 'publish:battery.cfp', jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: forger.kid })
        .setIssuer('urn:renkei:clearing')
        .setAudience('urn:renkei:exchange')
        .setSubject(ids.cell!)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(await importJWK(forger, 'ES256'));
      const res = await post(
        '/datasets/battery.cfp/events',
        JSON.stringify({ events: [{ payload: {} }] }),
        forged,
      );
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'TOKEN.INVALID_SIGNATURE' });
    });

    it('rejects an unsigned (alg none) token', async () => {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'urn:renkei:clearing', aud: 'urn:renkei:exchange', sub: ids.cell, scope: 'publish:battery.cfp', jti: randomUUID(), iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 300 })}.`;
      const res = await post(
        '/datasets/battery.cfp/events',
        JSON.stringify({ events: [{ payload: {} }] }),
        none,
      );
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'TOKEN.ALG_NOT_ALLOWED' });
    });

    it('rejects a token meant for another audience', async () => {
      const platformToken = await cell.platformToken();
      const res = await post(
        '/datasets/battery.cfp/events',
        JSON.stringify({ events: [{ payload: {} }] }),
        platformToken,
      );
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'TOKEN.WRONG_AUDIENCE' });
    });

    it('rejects widened scopes: an edited token, a token for another action, a token without a grant', async () => {
      // Editing the claims of a genuine token to widen its scope breaks its signature.
      const [header, payload, signature] = subscribeToken.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      const widened = Buffer.from(
        JSON.stringify({ ...claims, scope: 'publish:battery.cfp subscribe:battery.cfp' }),
      ).toString('base64url');
      const edited = await post(
        '/datasets/battery.cfp/events',
        JSON.stringify({ events: [{ payload: {} }] }),
        `${header}.${widened}.${signature}`,
      );
      expect(edited.status).toBe(401);
      // A genuine subscribe token does not publish.
      const wrongAction = await post(
        '/datasets/battery.cfp/events',
        JSON.stringify({ events: [{ payload: {} }] }),
        subscribeToken,
      );
      expect(wrongAction.status).toBe(403);
      expect(await wrongAction.json()).toMatchObject({ code: 'TOKEN.INSUFFICIENT_SCOPE' });
      // Clearing never issues a subscribe token without a live grant, whatever scope is asked for.
      const rival = new RenkeiClient(platform.endpoints, {
        clientId: ids.competitor!,
        privateJwk: keys.competitor!,
      });
      await expectProblem(rival.datasetToken('battery.cfp', 'publish'), 403, 'SUBJECT.NOT_OWNER');
      // A subscribe token needs a grant: none named is a bad request, someone else's grant is not found.
      await expectProblem(rival.datasetToken('battery.cfp', 'subscribe'), 400, 'REQUEST.INVALID');
      await expectProblem(rival.datasetToken('battery.cfp', 'subscribe', grantId), 404, 'GRANT.NOT_FOUND');
    });

    it('refuses a subscribe token for battery.cfp on another dataset’s stream', async () => {
      const res = await fetch(`${platform.endpoints.exchange}/datasets/battery.other/stream`, {
        headers: { authorization: `Bearer ${subscribeToken}` },
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'TOKEN.INSUFFICIENT_SCOPE' });
    });

    it('rejects a request without a token, telling the caller what to send', async () => {
      const res = await fetch(`${platform.endpoints.exchange}/datasets/battery.cfp/stream`);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        code: 'TOKEN.MISSING',
        hint: expect.stringContaining('Bearer'),
      });
    });
  });

  it('stops deliveries at once when the cell maker revokes, and refuses the next read with a reason', async () => {
    const revoked = await cell.revokeGrant(grantId, 'supplier contract ended');
    expect(revoked.state).toBe('revoked');
    const ending = await collect(openStream, () => false, 5_000);
    expect(ending.at(-1)).toMatchObject({ type: 'end', code: 'GRANT.REVOKED' });

    const after = await cell.publish('battery.cfp', publishToken, [
      {
        subject: 'lot-after',
        payload: { lotId: 'lot-after-revocation', cellModel: 'X', cfpKgCo2ePerKwh: 1 },
      },
    ]);
    acceptedIds.push(...after.eventIds);
    await expectProblem(auto.stream('battery.cfp', subscribeToken), 403, 'GRANT.NOT_ACTIVE');
    await expectProblem(auto.datasetToken('battery.cfp', 'subscribe', grantId), 403, 'GRANT.NOT_ACTIVE');
    expect(events(ending).map((e) => e.id)).not.toContain(after.eventIds[0]);
  });

  it('records every decision, allow and deny, with input, result and policy revision, for the compliance officer', async () => {
    await expect(auto.auditEntries({ kind: 'decision' })).rejects.toMatchObject({
      status: 403,
      code: 'TOKEN.INSUFFICIENT_SCOPE',
    });
    // Exchange decisions reach the audit chain through Kafka; give the ingest a moment.
    let items: Awaited<ReturnType<RenkeiClient['auditEntries']>>['items'] = [];
    for (let i = 0; i < 50; i++) {
      items = (await compliance.auditEntries({ kind: 'decision', dataset: 'battery.cfp', limit: '500' }))
        .items;
      if (
        items.some((e) => e.record.action === 'deliver' && e.allow === false) ||
        items.some((e) => e.record.action === 'subscribe' && e.allow === false && e.actor === ids.auto)
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const actions = new Set(items.map((e) => `${String(e.record.action)}:${e.allow}`));
    for (const expected of [
      'grant.request:true',
      'grant.request:false',
      'grant.approve:true',
      'token.issue:true',
      'token.issue:false',
      'publish:true',
      'subscribe:true',
      'deliver:true',
      'subscribe:false',
    ]) {
      expect(actions, expected).toContain(expected);
    }
    const denyAfterRevoke = items.find(
      (e) => e.record.action === 'subscribe' && e.allow === false && e.actor === ids.auto,
    )!;
    expect(denyAfterRevoke).toMatchObject({
      action: 'subscribe',
      rule: 'GRANT.NOT_ACTIVE',
      explanation: `grant '${grantId}' is 'revoked', not 'granted'`,
    });
    expect(denyAfterRevoke.record).toMatchObject({
      reasons: ['GRANT.NOT_ACTIVE'],
      rule: 'GRANT.NOT_ACTIVE',
      policyRevision: expect.stringMatching(/^rego-[0-9a-f]{16}$/),
      input: expect.objectContaining({
        action: 'subscribe',
        grant: expect.objectContaining({ id: grantId, state: 'revoked' }),
      }),
    });
    // An allow names its allow rule and says so.
    expect(items.find((e) => e.record.action === 'grant.approve' && e.allow === true)).toMatchObject({
      rule: 'ALLOW.GRANT_APPROVE',
      explanation: `participant '${ids.cell}' may approve grant '${grantId}' on dataset 'battery.cfp': every rule of the policy holds`,
    });
    const deliveredAfterRevocation = items
      .filter((e) => e.record.action === 'deliver' && e.allow === true)
      .flatMap((e) => e.record.eventIds as string[]);
    expect(deliveredAfterRevocation).not.toContain(acceptedIds.at(-1));
    expect(await compliance.auditVerify()).toMatchObject({ ok: true, problem: null });
  });

  it('finds the purpose refusal by its rule, explained as the caller was told, with composable filters', async () => {
    const refusal = purposeRefusal!;
    const rule = 'PURPOSE.NOT_ALLOWED';
    const page = await compliance.auditEntries({ rule, dataset: 'battery.cfp' });
    await expectDocumented(platform.endpoints.clearing, 'GET /audit/entries', page);
    expect(page.items).toHaveLength(1);
    const entry = page.items[0]!;
    expect(entry).toMatchObject({
      kind: 'decision',
      action: 'grant.request',
      actor: ids.auto,
      allow: false,
      rule,
      explanation: refusal.explanation,
      policyRevision: expect.stringMatching(/^rego-[0-9a-f]{16}$/),
    });
    expect(entry.record).toMatchObject({ rule, reasons: [rule], explanations: refusal.explanations });
    // The filters combine with each other and with the cursor.
    const seqs = async (q: Record<string, string>) =>
      (await compliance.auditEntries(q)).items.map((e) => e.seq);
    expect(await seqs({ rule, action: 'grant.request', revision: entry.policyRevision! })).toEqual([
      entry.seq,
    ]);
    expect(await seqs({ rule, after: String(entry.seq) })).toEqual([]);
    expect(await seqs({ rule, revision: 'rego-0000000000000000' })).toEqual([]);
    const allowed = (await compliance.auditEntries({ rule: 'ALLOW.GRANT_REQUEST', dataset: 'battery.cfp' }))
      .items;
    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.every((e) => e.allow === true && e.action === 'grant.request')).toBe(true);
    // The CSV export names the rule and its explanation in columns of their own.
    const [header, row] = (await compliance.exportAudit('csv', { rule, dataset: 'battery.cfp' })).split(
      '\r\n',
    );
    expect(header).toContain(',reasons,rule,explanation,policy_revision,');
    expect(row).toContain(`,${rule},${rule},"${refusal.explanation!}",${entry.policyRevision!},`);
  });

  it('has lost nothing it acknowledged: every accepted event is on the Kafka topic', async () => {
    const onTopic = new Set(
      (
        await readTopicUntil<{ id: string }>(`${env.topicPrefix}.data.battery.cfp`, (values) => {
          const ids = new Set(values.map((v) => v.id));
          return acceptedIds.every((id) => ids.has(id));
        })
      ).map((v) => v.id),
    );
    expect(acceptedIds.filter((id) => !onTopic.has(id))).toEqual([]);
  });
});
