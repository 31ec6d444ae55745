/**
 * Every call Renkei makes to a peer connector (callbacks, requests, token requests) goes through here: an
 * SSRF guard (https to public addresses only; plain http and loopback only where configured, for tests and
 * the demo), a deadline, and bounded bodies both ways. The addresses a host name resolves to are checked at
 * connect time (the socket's own lookup), so a name cannot be re-pointed at an internal address between
 * the check and the call.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { BlockList } from 'node:net';
import { badRequest } from '@renkei/domain';

/**
 * A pid as one URL path segment: percent-encoded except the characters a segment may carry as they are
 * (RFC 3986 pchar: ':' and '@' and the sub-delims), so `urn:uuid:…` pids reach the peer's routes unchanged.
 */
export const pathSegment = (id: string) =>
  encodeURIComponent(id).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );

/** The largest answer body read from a peer. */
export const MAX_PEER_ANSWER_BYTES = 256 * 1024;

const blocked = new BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(address, prefix, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it maps. */
function normalise(ip: string): { ip: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return { ip: mapped[1], family: 'ipv4' };
  return { ip, family: net.isIPv4(ip) ? 'ipv4' : 'ipv6' };
}

export function isLoopbackAddress(ip: string): boolean {
  const n = normalise(ip);
  return loopback.check(n.ip, n.family);
}

/** True for an address on the public internet (not private, loopback, link-local, reserved, multicast). */
export function isPublicAddress(ip: string): boolean {
  const n = normalise(ip);
  if (!net.isIP(n.ip)) return false;
  return !blocked.check(n.ip, n.family);
}

export interface OutgoingPolicy {
  /** Plain http and loopback addresses allowed (tests, the demo). */
  allowInsecureLoopback: boolean;
}

function refuse(url: string, why: string): never {
  throw badRequest(
    'DSP.ADDRESS_NOT_ALLOWED',
    `The address '${url.slice(0, 200)}' may not be called: ${why}`,
    [{ path: '', message: why }],
    'Give an https URL of a publicly reachable host',
  );
}

/** Whether a resolved address may be connected to under the policy. */
export function addressAllowed(ip: string, policy: OutgoingPolicy): boolean {
  return isPublicAddress(ip) || (policy.allowInsecureLoopback && isLoopbackAddress(ip));
}

/**
 * The URL's syntax under the policy (before any name is resolved): absolute, https (or http where loopback is
 * allowed), no credentials, and an IP literal host must itself be allowed. Throws DSP.ADDRESS_NOT_ALLOWED.
 */
export function checkOutgoingUrl(raw: string, policy: OutgoingPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(raw, 'not an absolute URL');
  }
  if (url.username || url.password) refuse(raw, 'credentials in the URL are not allowed');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowInsecureLoopback))
    refuse(raw, 'only https is allowed');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) && !addressAllowed(host, policy)) refuse(raw, 'the address is not a public one');
  if (url.protocol === 'http:' && !(net.isIP(host) ? isLoopbackAddress(host) : host === 'localhost'))
    refuse(raw, 'plain http is allowed only on loopback');
  return url;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** A socket lookup that refuses any address the policy does not allow (checked at connect time). */
function guardedLookup(policy: OutgoingPolicy, plainHttp: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const ok = (a: dns.LookupAddress) =>
        plainHttp
          ? isLoopbackAddress(a.address) && policy.allowInsecureLoopback
          : addressAllowed(a.address, policy);
      const allowed = addresses.filter(ok);
      if (allowed.length === 0 || allowed.length !== addresses.length) {
        const refused = Object.assign(new Error(`address of ${hostname} not allowed`), {
          code: 'EADDRNOTALLOWED',
        });
        return callback(refused, '');
      }
      if (options.all) return callback(null, allowed);
      const first = allowed[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

export interface PeerAnswer {
  status: number;
  /** The answer body as text (at most MAX_PEER_ANSWER_BYTES). */
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

export class PeerCallError extends Error {
  constructor(
    message: string,
    /** A connection error, a deadline or a refused address (never a status). */
    readonly kind: 'connection' | 'deadline' | 'refused' | 'too-large',
  ) {
    super(message);
    this.name = 'PeerCallError';
  }
}

/**
 * One HTTP call to a peer under the policy, with a deadline and a bounded answer. Never logs headers or
 * bodies (they may carry tokens). Throws PeerCallError on anything short of an HTTP answer.
 */
export function callPeer(
  raw: string,
  request: {
    method: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    timeoutMs: number;
  },
  policy: OutgoingPolicy,
): Promise<PeerAnswer> {
  let url: URL;
  try {
    url = checkOutgoingUrl(raw, policy);
  } catch (error) {
    return Promise.reject(new PeerCallError((error as Error).message, 'refused'));
  }
  const plainHttp = url.protocol === 'http:';
  const client = plainHttp ? http : https;
  return new Promise<PeerAnswer>((resolve, reject) => {
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = client.request(
      url,
      {
        method: request.method,
        headers: {
          accept: 'application/json, application/ld+json',
          ...(request.body !== undefined
            ? {
                'content-type': 'application/json',
                'content-length': String(Buffer.byteLength(request.body)),
              }
            : {}),
          ...request.headers,
        },
        lookup: guardedLookup(policy, plainHttp),
        // Redirects are not followed: a peer answers where it was called.
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_PEER_ANSWER_BYTES) {
            res.destroy();
            done(() => reject(new PeerCallError('the answer is too large', 'too-large')));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          done(() => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, text, json });
          }),
        );
        res.on('error', (err) => done(() => reject(new PeerCallError(err.message, 'connection'))));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done(() => reject(new PeerCallError(`no answer within ${request.timeoutMs} ms`, 'deadline')));
    }, request.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      done(() =>
        reject(
          new PeerCallError(
            err.code === 'EADDRNOTALLOWED' ? err.message : `${err.code ?? 'error'}: ${err.message}`,
            err.code === 'EADDRNOTALLOWED' ? 'refused' : 'connection',
          ),
        ),
      ),
    );
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}
