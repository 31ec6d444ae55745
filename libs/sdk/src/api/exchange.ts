import { json, send } from '../client.js';
import type { PublishedEvents, PublishRequest, StreamLine } from './dto.js';
import { Session } from './session.js';

export interface DeliveryStream {
  lines: AsyncGenerator<StreamLine>;
  read(timeoutMs: number): Promise<StreamLine | null>;
  close(): void;
}

/** Exchange: publishing events and reading the delivery stream. */
export class ExchangeCalls extends Session {
  publish(
    dataset: string,
    token: string,
    events: PublishRequest['events'],
    /** The contract version the payloads follow; default: the dataset's current version. */
    contractVersion?: string,
  ) {
    return this.call<PublishedEvents>(
      'exchange',
      'POST',
      `/datasets/${dataset}/events`,
      { events, ...(contractVersion ? { contractVersion } : {}) },
      token,
    );
  }

  /**
   * Opens the delivery stream. `read(ms)` returns the next line, or null if none came in time (nothing is
   * lost: the pending read carries over); `lines` is the raw async iterator; `close()` ends the stream.
   * Refusals throw RenkeiError.
   */
  async stream(
    dataset: string,
    token: string,
    /**
     * `after`: positions to resume after — `{partition: offset}`, or the `partition:offset,…` text as the
     * stream's `position` fields give it — or 'start' to replay everything still on the topic.
     */
    options: { after?: Record<number, string> | string } = {},
  ): Promise<DeliveryStream> {
    const after =
      typeof options.after === 'string'
        ? options.after.trim()
        : Object.entries(options.after ?? {})
            .map(([partition, offset]) => `${partition}:${offset}`)
            .join(',');
    const query = after ? `?after=${encodeURIComponent(after)}` : '';
    return openDeliveryStream(`${this.endpoints.exchange}/datasets/${dataset}/stream${query}`, token);
  }
}

/**
 * Opens an NDJSON delivery stream at a full URL with a bearer token: the exchange's own stream, or the
 * endpoint of a Dataspace Protocol transfer's `dataAddress` (see `dataAddressAccess`). Refusals throw
 * RenkeiError.
 */
export async function openDeliveryStream(url: string, token: string): Promise<DeliveryStream> {
  const controller = new AbortController();
  const response = await send(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) await json(response);
  const body = response.body!;
  async function* lines(): AsyncGenerator<StreamLine> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line) yield JSON.parse(line) as StreamLine;
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  }
  const iterator = lines();
  let pending: Promise<IteratorResult<StreamLine>> | undefined;
  return {
    lines: iterator,
    close: () => controller.abort(),
    async read(timeoutMs: number): Promise<StreamLine | null> {
      pending ??= iterator.next();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
      const result = await Promise.race([pending, timeout]);
      clearTimeout(timer);
      if (result === null) return null;
      pending = undefined;
      return result.done
        ? { type: 'end', code: 'STREAM.CLOSED', message: 'The connection closed' }
        : result.value;
    },
  };
}

/** Where and how to read a Dataspace Protocol transfer's data: its `dataAddress` (the EDR equivalent). */
export interface DataAddressAccess {
  endpoint: string;
  /** The bearer token (`endpointProperties` `authorization`), without the `Bearer ` prefix. */
  token: string;
  /** The token's expiry, when the provider says (`endpointProperties` `expiresAt`/`expiry`). */
  expiresAt?: string;
}

/** Reads endpoint and token out of a DSP `DataAddress` (its `endpointProperties` list or object). */
export function dataAddressAccess(dataAddress: unknown): DataAddressAccess {
  const address = (dataAddress ?? {}) as Record<string, unknown>;
  const endpoint = address.endpoint;
  const properties = address.endpointProperties;
  const entries: [string, unknown][] = Array.isArray(properties)
    ? properties.map((p: { name?: unknown; value?: unknown }) => [
        typeof p?.name === 'string' ? p.name : '',
        p?.value,
      ])
    : Object.entries((properties ?? {}) as Record<string, unknown>);
  const property = (...names: string[]) => {
    for (const [name, value] of entries) {
      const short = name.replace(/^.*[#/:]/, '');
      if (names.includes(short) && typeof value === 'string') return value;
    }
    return undefined;
  };
  const token = property('authorization')?.replace(/^Bearer\s+/i, '');
  if (typeof endpoint !== 'string' || !token)
    throw new TypeError('not a data address with an endpoint and an authorization token');
  const expiresAt = property('expiresAt', 'expiry', 'expires');
  return { endpoint, token, ...(expiresAt ? { expiresAt } : {}) };
}
