import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '@renkei/domain';
import { backoffMs, joinUrl, MAX_ATTEMPTS, retryable } from './callbacks.js';
import { MAX_DSP_MESSAGE_BYTES, readDspMessage } from './dsp-body.js';
import {
  ContractNegotiationEventMessageSchema,
  ContractRequestMessageSchema,
  DSP_CONTEXT,
  dspErrorBody,
  TransferRequestMessageSchema,
} from './dsp-messages.js';
import { callPeer, checkOutgoingUrl, isPublicAddress, pathSegment, PeerCallError } from './outgoing.js';

const strict = { allowInsecureLoopback: false };
const loose = { allowInsecureLoopback: true };

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'passed';
};

describe('SSRF guard of outgoing DSP calls', () => {
  it('allows only public addresses', () => {
    for (const ip of [
      '10.1.2.3',
      '127.0.0.1',
      '169.254.169.254',
      '192.168.1.1',
      '172.20.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
      '100.64.0.1',
    ])
      expect(isPublicAddress(ip), ip).toBe(false);
    for (const ip of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888'])
      expect(isPublicAddress(ip), ip).toBe(true);
  });

  it('takes https to public hosts; refuses http, credentials, private literals and junk', () => {
    expect(checkOutgoingUrl('https://edc.partner.example/api/dsp', strict).hostname).toBe(
      'edc.partner.example',
    );
    expect(codeOf(() => checkOutgoingUrl('http://edc.partner.example/dsp', strict))).toBe(
      'DSP.ADDRESS_NOT_ALLOWED',
    );
    expect(codeOf(() => checkOutgoingUrl('http://127.0.0.1:8083', strict))).toBe('DSP.ADDRESS_NOT_ALLOWED');
    expect(codeOf(() => checkOutgoingUrl('https://10.0.0.1/dsp', strict))).toBe('DSP.ADDRESS_NOT_ALLOWED');
    expect(codeOf(() => checkOutgoingUrl('https://[::1]/dsp', strict))).toBe('DSP.ADDRESS_NOT_ALLOWED');
    expect(codeOf(() => checkOutgoingUrl('https://u:p@edc.example/dsp', strict))).toBe(
      'DSP.ADDRESS_NOT_ALLOWED',
    );
    expect(codeOf(() => checkOutgoingUrl('file:///etc/passwd', strict))).toBe('DSP.ADDRESS_NOT_ALLOWED');
    expect(codeOf(() => checkOutgoingUrl('not a url', strict))).toBe('DSP.ADDRESS_NOT_ALLOWED');
  });

  it('with DSP_ALLOW_INSECURE_LOOPBACK: http on loopback only, never to another host', () => {
    expect(checkOutgoingUrl('http://127.0.0.1:8083', loose).port).toBe('8083');
    expect(checkOutgoingUrl('http://localhost:8083/x', loose).hostname).toBe('localhost');
    expect(codeOf(() => checkOutgoingUrl('http://8.8.8.8/dsp', loose))).toBe('DSP.ADDRESS_NOT_ALLOWED');
    expect(codeOf(() => checkOutgoingUrl('http://10.0.0.1/dsp', loose))).toBe('DSP.ADDRESS_NOT_ALLOWED');
    expect(codeOf(() => checkOutgoingUrl('http://edc.example/dsp', loose))).toBe('DSP.ADDRESS_NOT_ALLOWED');
  });
});

describe('callPeer', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/slow') return setTimeout(() => res.end('{}'), 2_000);
      if (req.url === '/big') {
        res.write('x'.repeat(300 * 1024));
        return res.end();
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ got: JSON.parse(body || 'null'), auth: req.headers.authorization ?? null }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts JSON and reads the answer on loopback when allowed', async () => {
    const answer = await callPeer(
      `${base}/x`,
      { method: 'POST', body: '{"a":1}', timeoutMs: 1000, headers: { authorization: 'Bearer t' } },
      loose,
    );
    expect(answer).toMatchObject({ status: 200, json: { got: { a: 1 }, auth: 'Bearer t' } });
  });

  it('refuses loopback without the setting, before connecting', async () => {
    await expect(
      callPeer(`${base}/x`, { method: 'POST', body: '{}', timeoutMs: 1000 }, strict),
    ).rejects.toMatchObject({ kind: 'refused' });
  });

  it('refuses a host name that resolves to loopback at connect time', async () => {
    const url = `https://localhost:${new URL(base).port}/x`;
    await expect(callPeer(url, { method: 'GET', timeoutMs: 1000 }, strict)).rejects.toBeInstanceOf(
      PeerCallError,
    );
  });

  it('gives up at the deadline and on an over-long answer', async () => {
    await expect(callPeer(`${base}/slow`, { method: 'GET', timeoutMs: 200 }, loose)).rejects.toMatchObject({
      kind: 'deadline',
    });
    await expect(callPeer(`${base}/big`, { method: 'GET', timeoutMs: 1000 }, loose)).rejects.toMatchObject({
      kind: 'too-large',
    });
  });
});

describe('the callback outbox rules', () => {
  it('retries 404, 408, 429, 5xx and errors without an answer; not other refusals', () => {
    for (const s of [404, 408, 429, 500, 502, 503, null]) expect(retryable(s), String(s)).toBe(true);
    for (const s of [400, 403, 409, 410, 422]) expect(retryable(s), String(s)).toBe(false);
  });

  it('tries at least 8 times over more than 20 s with a growing backoff', () => {
    expect(MAX_ATTEMPTS).toBeGreaterThanOrEqual(8);
    let total = 0;
    for (let a = 1; a < MAX_ATTEMPTS; a++) {
      expect(backoffMs(a)).toBeGreaterThanOrEqual(backoffMs(a - 1 || 1));
      total += backoffMs(a);
    }
    expect(total).toBeGreaterThan(20_000);
  });

  it('puts pids into paths with colons kept and slashes, spaces and queries encoded', () => {
    expect(pathSegment('urn:uuid:55ec0d94')).toBe('urn:uuid:55ec0d94');
    expect(pathSegment('a/b c?d#e')).toBe('a%2Fb%20c%3Fd%23e');
  });

  it('joins the callback address and the path with one slash', () => {
    expect(joinUrl('http://127.0.0.1:8083/', '/negotiations/a/offers')).toBe(
      'http://127.0.0.1:8083/negotiations/a/offers',
    );
    expect(joinUrl('https://x.example/dsp', 'transfers/b/start')).toBe(
      'https://x.example/dsp/transfers/b/start',
    );
  });
});

describe('DSP messages', () => {
  const request = {
    '@context': [DSP_CONTEXT],
    '@id': 'urn:uuid:55029d1d',
    '@type': 'ContractRequestMessage',
    consumerPid: '55ec0d94-0000-4000-8000-000000000000',
    offer: {
      '@id': 'urn:renkei:offer:tck.cn-01-01:1.0.0',
      target: 'urn:renkei:dataset:tck.cn-01-01:1.0.0',
      '@type': 'Offer',
      permission: [{ action: 'use' }],
    },
    callbackAddress: 'http://127.0.0.1:8083',
  };
  const req = (body: unknown, type = 'application/json; charset=utf-8') => ({
    headers: { 'content-type': type },
    body,
  });

  it('reads the TCK request as plain JSON and as JSON-LD, with the type in any of its forms', () => {
    expect(readDspMessage(req(request), ContractRequestMessageSchema).consumerPid).toBe(request.consumerPid);
    expect(
      readDspMessage(req(request, 'application/ld+json'), ContractRequestMessageSchema).offer['@id'],
    ).toBe(request.offer['@id']);
    const iri = { ...request, '@type': 'https://w3id.org/dspace/2025/1/ContractRequestMessage' };
    expect(readDspMessage(req(iri), ContractRequestMessageSchema)['@type']).toBe('ContractRequestMessage');
  });

  it('refuses another message type, missing pids, other media types, and oversized or deep bodies', () => {
    const read = (r: ReturnType<typeof req>) => codeOf(() => readDspMessage(r, ContractRequestMessageSchema));
    expect(read(req({ ...request, '@type': 'ContractOfferMessage' }))).toBe('DSP.INVALID_MESSAGE');
    expect(read(req({ ...request, consumerPid: undefined }))).toBe('DSP.INVALID_MESSAGE');
    expect(read(req(request, 'text/plain'))).toBe('DSP.INVALID_MESSAGE');
    expect(read(req({ ...request, pad: 'x'.repeat(MAX_DSP_MESSAGE_BYTES) }))).toBe('DSP.MESSAGE_TOO_LARGE');
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { a: deep };
    expect(read(req({ ...request, deep }))).toBe('DSP.MESSAGE_TOO_LARGE');
    expect(read(req([request]))).toBe('DSP.INVALID_MESSAGE');
  });

  it('takes only ACCEPTED and FINALIZED events', () => {
    const event = { '@type': 'ContractNegotiationEventMessage', providerPid: 'p', consumerPid: 'c' };
    expect(ContractNegotiationEventMessageSchema.safeParse({ ...event, eventType: 'ACCEPTED' }).success).toBe(
      true,
    );
    expect(
      ContractNegotiationEventMessageSchema.safeParse({
        ...event,
        eventType: 'https://w3id.org/dspace/2025/1/FINALIZED',
      }).success,
    ).toBe(true);
    expect(ContractNegotiationEventMessageSchema.safeParse({ ...event, eventType: 'AGREED' }).success).toBe(
      false,
    );
  });

  it('needs a callbackAddress and agreement id in a transfer request', () => {
    const t = {
      '@type': 'TransferRequestMessage',
      consumerPid: 'c',
      agreementId: 'a',
      format: 'HttpData-PULL',
    };
    expect(TransferRequestMessageSchema.safeParse(t).success).toBe(false);
    expect(
      TransferRequestMessageSchema.safeParse({ ...t, callbackAddress: 'http://127.0.0.1:8083' }).success,
    ).toBe(true);
  });

  it('builds error bodies with the DSP context, a compact type, the pids and a reason', () => {
    expect(
      dspErrorBody('ContractNegotiationError', {
        providerPid: 'p',
        consumerPid: 'c',
        code: 'DSP.ILLEGAL_TRANSITION',
        reason: ['no'],
      }),
    ).toEqual({
      '@context': [DSP_CONTEXT],
      '@type': 'ContractNegotiationError',
      providerPid: 'p',
      consumerPid: 'c',
      code: 'DSP.ILLEGAL_TRANSITION',
      reason: ['no'],
    });
    const catalog = dspErrorBody('CatalogError', { code: 'DSP.UNKNOWN_OFFER', reason: [] });
    expect(catalog).not.toHaveProperty('providerPid');
    expect(catalog.reason).toEqual(['DSP.UNKNOWN_OFFER']);
  });
});
