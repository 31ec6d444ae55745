/**
 * The Dataspace Protocol transfer formats Renkei's exchange serves, as the DSP catalog advertises them
 * (`Dataset.distribution[].format`) and as a TransferRequestMessage names them (`format`). DSP leaves the
 * format an opaque string agreed between connectors; the names follow EDC's `<type>-<PUSH|PULL>` habit:
 *
 * | format                 | endpoint (exchange)                       | what the consumer gets                    |
 * | ---------------------- | ----------------------------------------- | ----------------------------------------- |
 * | `Renkei-NDJSON-STREAM` | `GET /datasets/{dataset}/stream`          | the live NDJSON stream under the grant    |
 * | `HttpData-PULL`        | `GET /datasets/{dataset}/snapshot`        | what is on the topic now, as NDJSON lines |
 *
 * Both are pulled by the consumer with the `authorization` of the transfer's data address (a dataset token
 * bound to the transfer): the stream ends, and the token is refused, the moment the transfer is suspended,
 * completed or terminated.
 */
export const TransferFormats = {
  stream: 'Renkei-NDJSON-STREAM',
  pull: 'HttpData-PULL',
} as const;
export type TransferFormat = (typeof TransferFormats)[keyof typeof TransferFormats];

export const TRANSFER_FORMATS: readonly TransferFormat[] = [TransferFormats.pull, TransferFormats.stream];

export function isTransferFormat(value: string): value is TransferFormat {
  return (TRANSFER_FORMATS as readonly string[]).includes(value);
}

/** DSP's endpoint type for an HTTP data address (what EDC's EDRs carry). */
export const HTTP_ENDPOINT_TYPE = 'https://w3id.org/idsa/v4.1/HTTP';

const trimSlashes = (url: string) => url.replace(/\/+$/, '');

/** The exchange URL a transfer of `dataset` in `format` is read from. */
export function transferEndpoint(exchangeUrl: string, dataset: string, format: TransferFormat): string {
  const path = format === TransferFormats.stream ? 'stream' : 'snapshot';
  return `${trimSlashes(exchangeUrl)}/datasets/${encodeURIComponent(dataset)}/${path}`;
}

/**
 * The `distribution` entries of a dataset in the DSP catalog: one per format, each with the exchange as
 * its `accessService` (DSP requires `format` and `accessService`) and the endpoint as `dcat:accessURL`.
 */
export function transferDistributions(
  exchangeUrl: string,
  dataset: string,
  accessService: Record<string, unknown> | string = {
    '@id': trimSlashes(exchangeUrl),
    '@type': 'DataService',
    endpointURL: trimSlashes(exchangeUrl),
  },
): Record<string, unknown>[] {
  return TRANSFER_FORMATS.map((format) => ({
    '@type': 'Distribution',
    format,
    'dcat:accessURL': { '@id': transferEndpoint(exchangeUrl, dataset, format) },
    accessService,
  }));
}

/**
 * The data address of a started transfer (DSP `TransferStartMessage.dataAddress`): the endpoint and, as
 * endpoint properties, the token (`authorization`), its type (`authType: bearer`) and lifetime
 * (`expiresIn`, seconds), as EDC's endpoint data references carry them.
 */
export function transferDataAddress(endpoint: string, token: string, expiresIn: number) {
  const property = (name: string, value: string) => ({ '@type': 'EndpointProperty', name, value });
  return {
    '@type': 'DataAddress',
    endpointType: HTTP_ENDPOINT_TYPE,
    endpoint,
    endpointProperties: [
      property('authorization', token),
      property('authType', 'bearer'),
      property('expiresIn', String(expiresIn)),
    ],
  };
}
