import type { DataEnvelope } from '@renkei/domain';

/** One line of a delivery stream (NDJSON): an event, a notice about the contract, a heartbeat, or the end. */
export type StreamLine =
  | { type: 'event'; event: DataEnvelope & { erased?: string[] }; position: string }
  | { type: 'heartbeat'; at: string }
  | {
      type: 'notice';
      code: 'CONTRACT.NEW_VERSION' | 'CONTRACT.DEPRECATED' | 'CONTRACT.RETIRED';
      dataset: string;
      version: string;
      message: string;
      reason: string | null;
    }
  | { type: 'end'; code: string; message: string };

/** Where a stream starts: after given positions (partition → offset), or from the start of the topic. */
export type StreamStart = ReadonlyMap<number, bigint> | 'start';

// ------------------------------------------------------------------ request (OpenAPI)

/** `?after=`: parsed by SubscribeService.parsePositions. */
export const AFTER_DESCRIPTION =
  "Resume after these positions (partition:offset of the last events you processed), or 'start' to replay everything still on the topic (every event is decided again under your grant); default: after the last events the platform wrote to you";

// ------------------------------------------------------------------ response (OpenAPI)

/** NDJSON is text: each line is one JSON object ({type: event | notice | heartbeat | end, …}). */
export const StreamLinesSchema = { type: 'string', description: 'Newline-delimited JSON objects' };

export const streamExample = [
  '{"type":"event","event":{"id":"0c8e4a52-1f7b-4c5e-9b2a-7d3f6e1a9c04","dataset":"battery.cfp","contractVersion":"1.1.0","originator":"3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10","subject":"lot-2026-11-0001","payload":{"lotId":"lot-2026-11-0001","cfpKgCo2ePerKwh":61.4}},"position":"1:41"}',
  '{"type":"notice","code":"CONTRACT.DEPRECATED","dataset":"battery.cfp","version":"1.0.0","message":"Version 1.0.0 of \'battery.cfp\' is deprecated","reason":"Use 1.1.0"}',
  '{"type":"heartbeat","at":"2026-11-21T07:00:15.000Z"}',
  '{"type":"end","code":"GRANT.REVOKED","message":"The grant is now revoked"}',
].join('\n');
