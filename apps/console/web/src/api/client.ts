/**
 * Every call the console makes: the public APIs of the four services through the console server's
 * /api/<service> proxy, with the signed-in participant's platform token. Errors are thrown as ApiError
 * (problem+json) or UnreachableError.
 */
import type { Session } from '../auth/session';
import { ApiError, readProblem, UnreachableError } from './problem';

export type Service = 'registry' | 'clearing' | 'exchange' | 'cps-sim';

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface CallOptions {
  query?: Query;
  body?: unknown;
  /** A raw body with its content type (e.g. YAML). */
  raw?: { text: string; contentType: string };
  /** A token other than the platform token (e.g. a dataset token for the exchange). */
  token?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export function url(service: Service, path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `/api/${service}${path}${qs ? `?${qs}` : ''}`;
}

export class Api {
  constructor(private readonly session: Session) {}

  /** The response, unread, when it is a success; else throws. */
  async send(method: string, service: Service, path: string, options: CallOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${options.token ?? (await this.session.platformToken())}`,
      ...options.headers,
    };
    let body: string | undefined;
    if (options.raw) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.text;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let res: Response;
    try {
      res = await fetch(url(service, path, options.query), { method, headers, body, signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new UnreachableError(error);
    }
    if (!res.ok) throw await readProblem(res);
    return res;
  }

  async json<T>(method: string, service: Service, path: string, options: CallOptions = {}): Promise<T> {
    const res = await this.send(method, service, path, options);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  get = <T>(service: Service, path: string, options?: CallOptions) =>
    this.json<T>('GET', service, path, options);
  post = <T>(service: Service, path: string, body?: unknown, options?: CallOptions) =>
    this.json<T>('POST', service, path, { ...options, body });
  put = <T>(service: Service, path: string, body?: unknown, options?: CallOptions) =>
    this.json<T>('PUT', service, path, { ...options, body });

  /** Reads a streamed body line by line (NDJSON), until the stream ends or `signal` aborts. */
  async *lines(res: Response): AsyncGenerator<string> {
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) yield line;
      }
    }
    if (buffer.trim()) yield buffer.trim();
  }

  /**
   * Server-sent events over fetch (EventSource cannot send the Authorization header): yields each event's
   * name and parsed JSON data until the stream ends.
   */
  async *events(
    service: Service,
    path: string,
    signal?: AbortSignal,
  ): AsyncGenerator<{ event: string; data: unknown }> {
    const res = await this.send('GET', service, path, { signal, headers: { accept: 'text/event-stream' } });
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length === 0) continue;
        let parsed: unknown = data.join('\n');
        try {
          parsed = JSON.parse(parsed as string);
        } catch {
          // plain text data
        }
        yield { event, data: parsed };
      }
    }
  }
}

export { ApiError, UnreachableError };
