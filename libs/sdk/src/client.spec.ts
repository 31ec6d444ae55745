import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiError, RenkeiUnreachableError } from './client.js';
import { AuditCalls } from './api/audit.js';
import { CatalogCalls } from './api/catalog.js';
import { ContractCalls } from './api/contracts.js';
import { CpsCalls } from './api/cps.js';
import { DeletionCalls } from './api/deletion.js';
import { ExchangeCalls } from './api/exchange.js';
import { GrantCalls } from './api/grants.js';
import { KeyCalls } from './api/keys.js';
import { NotificationCalls } from './api/notifications.js';
import { ParticipantCalls } from './api/participants.js';
import { PersonCalls } from './api/persons.js';
import { RenkeiClient } from './renkei-client.js';

describe('RenkeiClient requests', () => {
  const purposeRefusal = {
    code: 'PURPOSE.NOT_ALLOWED',
    status: 403,
    detail: 'The access request was denied by policy (PURPOSE.NOT_ALLOWED): …',
    rule: 'PURPOSE.NOT_ALLOWED',
    explanation: "purpose 'marketing' is not among the contract's purposes cfp-disclosure",
    explanations: [
      {
        code: 'PURPOSE.NOT_ALLOWED',
        message: "purpose 'marketing' is not among the contract's purposes cfp-disclosure",
        params: { purpose: 'marketing', purposes: ['cfp-disclosure'] },
      },
    ],
  };
  let server: Server;
  let base = '';
  const seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let client: RenkeiClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        if (req.url === '/oauth/token') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ access_token: 'platform-token', expires_in: 300 }));
        } else if (req.url?.startsWith('/datasets/d/stream')) {
          res.setHeader('content-type', 'application/x-ndjson');
          res.end(JSON.stringify({ type: 'end', code: 'TEST', message: 'done' }) + '\n');
        } else if (req.url === '/grants') {
          res.statusCode = 403;
          res.setHeader('content-type', 'application/problem+json');
          res.end(JSON.stringify(purposeRefusal));
        } else if (req.url?.startsWith('/contracts/odcs')) {
          res.statusCode = 400;
          res.setHeader('content-type', 'application/problem+json');
          res.end(JSON.stringify({ code: 'ODCS.INVALID', detail: 'not a contract' }));
        } else {
          res.setHeader('content-type', 'text/plain');
          res.end('text body');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    client = new RenkeiClient(
      { registry: base, clearing: base, exchange: base },
      { clientId: 'p-1', privateJwk: { ...(await exportJWK(privateKey)), kid: 'k1', alg: 'ES256' } },
    );
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends text bodies with their content type and the platform token; errors become RenkeiError', async () => {
    await expect(client.importOdcs('apiVersion: v3.0.0\n', 'draft')).rejects.toBeInstanceOf(RenkeiError);
    const req = seen.find((r) => r.url?.startsWith('/contracts/odcs'))!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/contracts/odcs?status=draft');
    expect(req.headers['content-type']).toBe('application/yaml');
    expect(req.headers.authorization).toBe('Bearer platform-token');
    expect(req.body).toBe('apiVersion: v3.0.0\n');
    expect(await client.exportAudit('csv', { kind: 'decision' })).toBe('text body');
  });

  it('exposes the rule and explanations of a policy refusal, and none for other errors', async () => {
    const refused = await client
      .requestGrant({ dataset: 'd', purpose: 'marketing' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RenkeiError);
    const error = refused as RenkeiError;
    expect([error.status, error.code, error.rule]).toEqual([
      403,
      'PURPOSE.NOT_ALLOWED',
      'PURPOSE.NOT_ALLOWED',
    ]);
    expect(error.explanation).toBe(purposeRefusal.explanation);
    expect(error.explanations).toEqual(purposeRefusal.explanations);
    const other = (await client.importOdcs('{}').catch((e: unknown) => e)) as RenkeiError;
    expect([other.rule, other.explanation, other.explanations]).toEqual([undefined, undefined, []]);
  });

  it("passes stream positions through as given ('p:o,…' text or an object)", async () => {
    for (const after of ['0:41,1:17', { 0: '41', 1: '17' }] as const) {
      const stream = await client.stream('d', 'dataset-token', { after });
      expect(await stream.read(2000)).toMatchObject({ type: 'end', code: 'TEST' });
      stream.close();
      expect(seen.at(-1)?.url).toBe(`/datasets/d/stream?after=${encodeURIComponent('0:41,1:17')}`);
    }
    const stream = await client.stream('d', 'dataset-token', { after: 'start' });
    stream.close();
    expect(seen.at(-1)?.url).toBe('/datasets/d/stream?after=start');
  });

  it('reports a service it cannot reach with its URL and the system code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const nowhere = new RenkeiClient({ registry: url, clearing: url, exchange: url }, client.credentials);
    const error = await nowhere.catalog().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenkeiUnreachableError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(`cannot reach ${url} (ECONNREFUSED)`);
  });

  it('needs a cpsSim endpoint for the sim calls', async () => {
    await expect(client.scenarios()).rejects.toThrow('No cpsSim endpoint');
  });

  it('is one client made of every area under api/, sharing one platform token', async () => {
    const areas = [
      ParticipantCalls,
      ContractCalls,
      CatalogCalls,
      GrantCalls,
      PersonCalls,
      NotificationCalls,
      DeletionCalls,
      AuditCalls,
      KeyCalls,
      CpsCalls,
      ExchangeCalls,
    ];
    const methods = areas.flatMap((area) =>
      Object.getOwnPropertyNames(area.prototype)
        .filter((name) => name !== 'constructor')
        .map((name) => [name, (area.prototype as unknown as Record<string, unknown>)[name]] as const),
    );
    expect(methods.length).toBeGreaterThanOrEqual(62); // as many as RenkeiClient had before the split
    for (const [name, method] of methods) {
      expect((RenkeiClient.prototype as unknown as Record<string, unknown>)[name], name).toBe(method);
    }
    const before = seen.filter((r) => r.url === '/oauth/token').length;
    const fresh = new RenkeiClient(client.endpoints, client.credentials);
    await fresh.exportAudit('json');
    await expect(fresh.importOdcs('{}')).rejects.toBeInstanceOf(RenkeiError);
    expect(seen.filter((r) => r.url === '/oauth/token').length).toBe(before + 1);
  });
});
