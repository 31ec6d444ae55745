/**
 * The TCK's two "initiate" URLs for the consumer groups (CN_C, TP_C), hosted by the harness: the TCK asks
 * the connector to start a negotiation or a transfer with it, and a member would do that through the
 * management API. This server translates each TCK call into that API call, made as the consumer member:
 *   POST /negotiations {providerId, offerId, datasetId, connectorAddress} -> POST /connector/negotiations
 *   POST /transfers {providerId, agreementId, format, connectorAddress}    -> POST /connector/transfers
 * It answers 2xx once the platform has sent its request (the TCK does not read the body).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { RenkeiError, type RenkeiClient } from '@renkei/sdk';

export interface InitiateOptions {
  port: number;
  host?: string;
  consumer: RenkeiClient;
  /** The TCK's connector as a registered peer (its participant id here). */
  peer: string;
  /** A negotiation or transfer the member started, with the TCK's dataset or agreement id. */
  started(kind: 'negotiation' | 'transfer', id: string, key: string): void;
  log(line: string): void;
}

const MAX_BODY = 64 * 1024;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk);
  }
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('not an object');
  return parsed as Record<string, unknown>;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

export async function startInitiateServer(options: InitiateOptions): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      try {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
        if (req.method !== 'POST' || !['/negotiations', '/transfers'].includes(path))
          return answer(404, { error: `no ${req.method} ${path}` });
        const body = await readJson(req);
        const connectorAddress = text(body.connectorAddress);
        if (path === '/negotiations') {
          const datasetId = text(body.datasetId);
          const offerId = text(body.offerId);
          if (!datasetId || !offerId) return answer(400, { error: 'datasetId and offerId are required' });
          const started = await options.consumer.startNegotiation({
            peer: options.peer,
            ...(connectorAddress ? { connectorAddress } : {}),
            offerId,
            datasetId,
          });
          options.started('negotiation', started.id, datasetId);
          options.log(`initiate: negotiation ${started.id} on ${datasetId} (${started.state})`);
          return answer(200, started);
        }
        const agreementId = text(body.agreementId);
        const format = text(body.format);
        if (!agreementId || !format) return answer(400, { error: 'agreementId and format are required' });
        const started = await options.consumer.startTransfer({
          peer: options.peer,
          ...(connectorAddress ? { connectorAddress } : {}),
          agreementId,
          format,
        });
        options.started('transfer', started.id, agreementId);
        options.log(`initiate: transfer ${started.id} on ${agreementId} (${started.state})`);
        return answer(200, started);
      } catch (error) {
        options.log(`initiate: ${req.method} ${req.url} failed: ${String(error)}`);
        if (error instanceof RenkeiError) return answer(error.status, error.problem);
        return answer(400, { error: String(error) });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  return server;
}
