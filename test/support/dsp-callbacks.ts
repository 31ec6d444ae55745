/**
 * A peer connector's callback endpoint for the Dataspace Protocol e2e tests: it records every message the
 * platform sends and answers 200, as the TCK's callback server does.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const DSP_CONTEXT = 'https://w3id.org/dspace/2025/1/context.jsonld';

export interface ReceivedMessage {
  path: string;
  body: Record<string, unknown>;
  at: number;
}

export class CallbackServer {
  readonly received: ReceivedMessage[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.received.push({
          path: req.url ?? '',
          body: body ? (JSON.parse(body) as Record<string, unknown>) : {},
          at: Date.now(),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The first message to `path`; fails after `timeoutMs` naming what did arrive. */
  async waitFor(path: string, timeoutMs = 10_000): Promise<ReceivedMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find((r) => r.path === path);
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(`no callback to ${path}; got ${this.received.map((r) => r.path).join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Every message about one negotiation of the consumer's, in arrival order. */
  of(consumerPid: string): ReceivedMessage[] {
    return this.received.filter((r) => r.path.startsWith(`/negotiations/${consumerPid}/`));
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
