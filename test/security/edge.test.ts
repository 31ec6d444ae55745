/**
 * The HTTP edge of every service, attacked over the public API of the four services running as processes
 * on real Kafka and PostgreSQL: control characters and unpaired surrogates (once 500s from PostgreSQL),
 * critical JWS headers, oversized bodies and URLs, missing security headers, floods of expensive calls and
 * requests that arrive too slowly. Each class first shows the legitimate request served, then the attack
 * refused with its stable code in problem+json. Limits are lowered for this platform only (rate limit of
 * the registry's heavy calls, request timeout of the exchange) so that the attacks take seconds.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { request as plainRequest } from 'node:http';
import { request as tlsRequest } from 'node:https';
import { connect as plainConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RenkeiClient } from '@renkei/sdk';
import { participantKey, publicJwk, startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { eventually } from '../support/eventually.js';
import { expectProblem } from '../support/problems.js';
import { automaker, batteryCfpContract, cellMaker } from '../fixtures/battery-cfp.js';

const HEAVY_LIMIT = 4;
const REQUEST_TIMEOUT_MS = 2_000;

let env: TestPlatform;
let cell: RenkeiClient;
let auto: RenkeiClient;
let cellId: string;
let cellKey: JWK;
let urls: TestPlatform['platform']['endpoints'];

const lot = (i: number) => ({ lotId: `lot-${i}`, cellModel: 'NMC-811', cfpKgCo2ePerKwh: 61.4 });

/** A compact JWS signed by hand: jose will not sign a header naming an extension it does not know. */
function signJws(jwk: JWK, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'ES256', kid: jwk.kid, ...header })}.${b64(claims)}`;
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** node:http or node:https, as the platform serves (HTTPS by default, ADR 0034). */
const httpRequest = (url: string, options: Parameters<typeof plainRequest>[1]) =>
  url.startsWith('https:') ? tlsRequest(url, options) : plainRequest(url, options);

/** Raw bytes on a fresh connection (TLS when the platform serves HTTPS); collects what comes back until the server closes. */
function rawExchange(url: string, chunks: string[], gapMs = 0) {
  const { hostname, port, protocol } = new URL(url);
  return new Promise<{ text: string; closedAfterMs: number }>((resolve) => {
    const started = Date.now();
    const socket: Socket =
      protocol === 'https:' ? tlsConnect(Number(port), hostname) : plainConnect(Number(port), hostname);
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    void (async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      if (!socket.destroyed) socket.end();
    })();
  });
}

const bodyOf = (text: string) =>
  JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

async function problem(res: Response, status: number, code: string) {
  expect(res.status, `${res.url} ${code}`).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as { code: string; errors?: { path: string }[] };
  expect(body.code).toBe(code);
  return body;
}

beforeAll(async () => {
  env = await startTestPlatform('security-edge', 4361);
  urls = env.platform.endpoints;
  // Lowered limits for this platform only, before anything is registered.
  await Promise.all([
    env.platform.restart('registry', 'SIGTERM', { RATE_LIMIT_HEAVY: `${HEAVY_LIMIT}/1m` }),
    env.platform.restart('exchange', 'SIGTERM', {
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_HEADERS_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    }),
  ]);
  cellKey = await participantKey('cell-key-1');
  const autoKey = await participantKey('auto-key-1');
  const [c, a] = await Promise.all([
    env.admin.onboard({ ...cellMaker, jwks: { keys: [publicJwk(cellKey)] } }),
    env.admin.onboard({ ...automaker, jwks: { keys: [publicJwk(autoKey)] } }),
  ]);
  cellId = c.id;
  cell = new RenkeiClient(urls, { clientId: c.id, privateJwk: cellKey });
  auto = new RenkeiClient(urls, { clientId: a.id, privateJwk: autoKey });
  await cell.registerContract(batteryCfpContract);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('control characters and unpaired surrogates (once 500s from PostgreSQL)', () => {
  it('serves ordinary text, including tabs and newlines inside body strings, on every service', async () => {
    const token = await cell.platformToken();
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${urls.registry}/catalog?q=carbon`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${urls.registry}/contracts/battery.cfp`, { headers: auth })).status).toBe(200);
    const grant = await auto.requestGrant({ dataset: 'battery.cfp', purpose: 'cfp-disclosure' });
    expect(grant.state).toBe('requested');
    const publishToken = await eventually(
      () => cell.datasetToken('battery.cfp', 'publish').catch(() => null),
      (t) => t !== null,
    );
    const published = await eventually(
      () =>
        cell
          .publish('battery.cfp', publishToken!, [{ payload: { ...lot(1), cellModel: 'NMC\t811\n連携' } }])
          .catch((e: unknown) => e),
      (r) => !(r instanceof Error),
    );
    expect(published).toMatchObject({ accepted: 1 });
    expect((await fetch(`${urls.cpsSim}/health`)).status).toBe(200);
  });

  it('refuses NUL in a path segment, a query and a body string on the registry, naming the place', async () => {
    const auth = { authorization: `Bearer ${await cell.platformToken()}` };
    const query = await problem(
      await fetch(`${urls.registry}/catalog?q=%00`, { headers: auth }),
      400,
      'REQUEST.CONTROL_CHARACTER',
    );
    expect(query.errors).toEqual([expect.objectContaining({ path: '/query/q' })]);
    const path = await problem(
      await fetch(`${urls.registry}/contracts/battery%00cfp`, { headers: auth }),
      400,
      'REQUEST.CONTROL_CHARACTER',
    );
    expect(path.errors).toEqual([expect.objectContaining({ path: '/path/1' })]);
    const body = await problem(
      await fetch(`${urls.registry}/contracts`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ ...batteryCfpContract, version: '1.0.1', title: 'Battery\u0000cfp' }),
      }),
      400,
      'REQUEST.CONTROL_CHARACTER',
    );
    expect(body.errors).toEqual([expect.objectContaining({ path: '/body/title' })]);
  });

  it('refuses an unpaired surrogate in a JSON string on clearing (jsonb refuses it too)', async () => {
    const body = await problem(
      await fetch(`${urls.clearing}/grants`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await auto.platformToken()}`,
          'content-type': 'application/json',
        },
        body: '{"dataset":"battery.cfp","purpose":"cfp-disclosure\\ud800"}',
      }),
      400,
      'REQUEST.CONTROL_CHARACTER',
    );
    expect(body.errors).toEqual([expect.objectContaining({ path: '/body/purpose' })]);
    await problem(
      await fetch(`${urls.clearing}/grants/%00`, {
        headers: { authorization: `Bearer ${await auto.platformToken()}` },
      }),
      400,
      'REQUEST.CONTROL_CHARACTER',
    );
  });

  it('refuses NUL in a published payload on the exchange, and in a path on cps-sim', async () => {
    const publishToken = await cell.datasetToken('battery.cfp', 'publish');
    const refused = await expectProblem(
      cell.publish('battery.cfp', publishToken, [
        { payload: lot(2) },
        { payload: { ...lot(3), lotId: 'lot\u0000' } },
      ]),
      400,
      'REQUEST.CONTROL_CHARACTER',
    );
    expect(refused.problem.errors).toEqual([
      expect.objectContaining({ path: '/body/events/1/payload/lotId' }),
    ]);
    await problem(await fetch(`${urls.cpsSim}/runs/%00`), 400, 'REQUEST.CONTROL_CHARACTER');
  });

  it('refuses a control character in a header value in problem+json', async () => {
    const { text } = await rawExchange(urls.registry, [
      `GET /catalog HTTP/1.1\r\nHost: x\r\nX-Note: a\u0001b\r\nConnection: close\r\n\r\n`,
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(text).toMatch(/content-type: application\/problem\+json/i);
  });
});

describe('critical JWS header extensions', () => {
  const claims = () => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: 'urn:renkei:clearing',
      aud: 'urn:renkei:api',
      sub: cellId,
      scope: 'contracts:write',
      jti: randomUUID(),
      iat: now,
      exp: now + 120,
    };
  };

  it('accepts a platform-signed token, and refuses the same token with a crit header as TOKEN.CRIT_UNSUPPORTED', async () => {
    const key = env.secrets.signingKeys[0]!;
    const ok = await fetch(`${urls.registry}/catalog`, {
      headers: { authorization: `Bearer ${signJws(key, {}, claims())}` },
    });
    expect(ok.status).toBe(200);
    const crit = signJws(key, { crit: ['x-renkei'], 'x-renkei': true }, claims());
    await problem(
      await fetch(`${urls.registry}/catalog`, { headers: { authorization: `Bearer ${crit}` } }),
      401,
      'TOKEN.CRIT_UNSUPPORTED',
    );
  });

  it('accepts a client assertion, and refuses one with a crit header as AUTH.ASSERTION_CRIT_UNSUPPORTED', async () => {
    const assertion = (header: Record<string, unknown>) => {
      const now = Math.floor(Date.now() / 1000);
      return signJws(cellKey, header, {
        iss: cellId,
        sub: cellId,
        aud: 'urn:renkei:clearing',
        jti: randomUUID(),
        iat: now,
        exp: now + 60,
      });
    };
    const login = (a: string) =>
      fetch(`${urls.clearing}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: a,
        }),
      });
    expect((await login(assertion({}))).status).toBe(200);
    await problem(await login(assertion({ crit: ['exp'], exp: 1 })), 401, 'AUTH.ASSERTION_CRIT_UNSUPPORTED');
  });
});

describe('oversized bodies and URLs, unsupported media types', () => {
  /** Sends `size` bytes of JSON in pieces, the way an upload goes, and reports everything the client saw. */
  function upload(url: string, size: number, chunked: boolean) {
    const body = Buffer.from(JSON.stringify({ events: [{ payload: { pad: 'x'.repeat(size) } }] }));
    return new Promise<{ status?: number; body: string; error?: string }>((resolve) => {
      let status: number | undefined;
      let text = '';
      let error: string | undefined;
      const req = httpRequest(url, {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          ...(chunked ? {} : { 'content-length': body.length }),
        },
      });
      req.on('response', (res) => {
        status = res.statusCode;
        res.on('data', (d) => (text += d));
      });
      req.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
      req.on('close', () => resolve({ status, body: text, error }));
      void (async () => {
        let closed = false;
        req.once('close', () => (closed = true));
        for (let i = 0; i < body.length && !closed; i += 65_536) {
          if (!req.write(body.subarray(i, i + 65_536))) {
            await new Promise<void>((resolve) => {
              const done = () => {
                req.off('drain', done);
                req.off('close', done);
                resolve();
              };
              req.on('drain', done);
              req.on('close', done);
            });
          }
        }
        if (!closed) req.end();
      })();
    });
  }

  it('answers an upload over the exchange body limit with a clean 413, with and without Content-Length', async () => {
    const token = await cell.datasetToken('battery.cfp', 'publish');
    expect(await cell.publish('battery.cfp', token, [{ payload: lot(4) }])).toMatchObject({ accepted: 1 });
    for (const chunked of [false, true]) {
      const result = await upload(`${urls.exchange}/datasets/battery.cfp/events`, 11 * 1024 * 1024, chunked);
      expect(result.error, `no reset (chunked=${chunked})`).toBeUndefined();
      expect(result.status).toBe(413);
      expect(JSON.parse(result.body)).toMatchObject({ code: 'REQUEST.TOO_LARGE' });
    }
  });

  it('answers a URL over the limit and an unsupported media type in problem+json', async () => {
    const auth = { authorization: `Bearer ${await cell.platformToken()}` };
    expect((await fetch(`${urls.registry}/catalog?q=${'a'.repeat(100)}`, { headers: auth })).status).toBe(
      200,
    );
    await problem(
      await fetch(`${urls.registry}/catalog?q=${'a'.repeat(9_000)}`, { headers: auth }),
      414,
      'REQUEST.URI_TOO_LONG',
    );
    // An over-long id in the path is refused by its grammar, naming the parameter (never a lookup).
    await problem(
      await fetch(`${urls.registry}/contracts/${'a'.repeat(300)}`, { headers: auth }),
      400,
      'REQUEST.INVALID_ID',
    );
    // A path segment past what the router takes at all is a 414 like any over-long URL.
    await problem(
      await fetch(`${urls.registry}/contracts/${'a'.repeat(5_000)}`, { headers: auth }),
      414,
      'REQUEST.URI_TOO_LONG',
    );
    await problem(
      await fetch(`${urls.registry}/contracts`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/xml' },
        body: '<contract/>',
      }),
      415,
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    );
  });
});

describe('security headers', () => {
  it('sends nosniff, a CSP that forbids framing, and no-store on every service', async () => {
    for (const base of [urls.registry, urls.clearing, urls.exchange, urls.cpsSim]) {
      const res = await fetch(`${base}/health`);
      expect(res.headers.get('x-content-type-options'), base).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('never lets tokens, audit records or obligations be cached; lets the JWKS be', async () => {
    const token = await cell.platformToken();
    const auth = { authorization: `Bearer ${token}` };
    const login = await fetch(`${urls.clearing}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await cell.clientAssertion(),
      }),
    });
    expect(login.headers.get('cache-control')).toBe('no-store');
    for (const path of [
      '/audit/usage?dataset=battery.cfp',
      '/deletion-obligations',
      '/grants',
      '/audit/checkpoints/latest',
    ]) {
      const res = await fetch(`${urls.clearing}${path}`, { headers: auth });
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    expect((await fetch(`${urls.clearing}/.well-known/jwks.json`)).headers.get('cache-control')).toBe(
      'public, max-age=60',
    );
  });

  it('lets the Swagger UI at /docs load its own scripts and styles', async () => {
    const res = await fetch(`${urls.registry}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await res.text();
    for (const src of [...page.matchAll(/src=["']\.?\/?([^"']+)["']/g)].map((m) => m[1]!)) {
      expect((await fetch(`${urls.registry}/docs/${src.replace(/^docs\//, '')}`)).status, src).toBe(200);
    }
  });
});

describe('per-participant rate limits on expensive calls', () => {
  it(`serves ${HEAVY_LIMIT} heavy calls a minute to a participant, then 429 with Retry-After; others are not affected`, async () => {
    const schema = batteryCfpContract.schema as Record<string, unknown>;
    // The contract registration in beforeAll was the first heavy call of this participant.
    for (let i = 1; i < HEAVY_LIMIT; i++) await cell.checkCompatibility('battery.cfp', schema);
    const refused = await fetch(`${urls.registry}/contracts/battery.cfp/compatibility`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await cell.platformToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ schema }),
    });
    await problem(refused, 429, 'RATE_LIMIT.EXCEEDED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another participant's heavy calls are counted apart.
    await expect(
      auto.registerContract({ ...batteryCfpContract, dataset: 'vehicle.cfp' }),
    ).resolves.toMatchObject({
      status: 'active',
    });
    // Cheap calls are not counted.
    expect((await cell.contract('battery.cfp')).version).toBe('1.0.0');
  });
});

describe('request timeouts (slowloris)', () => {
  it('cuts off a publish whose body trickles in with 408 while the exchange serves others', async () => {
    const token = await cell.datasetToken('battery.cfp', 'publish');
    const slow = rawExchange(
      urls.exchange,
      [
        `POST /datasets/battery.cfp/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
        ...Array.from({ length: 40 }, () => ' '),
      ],
      250,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await cell.publish('battery.cfp', token, [{ payload: lot(5) }])).toMatchObject({ accepted: 1 });
    const { text, closedAfterMs } = await slow;
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(bodyOf(text)).toMatchObject({ code: 'REQUEST.TIMEOUT' });
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
  });
});
