import { describe, expect, it } from 'vitest';
import {
  isTransferFormat,
  transferDataAddress,
  transferDistributions,
  transferEndpoint,
} from './transfer-formats.js';

describe('DSP transfer formats', () => {
  it('names the two formats the exchange serves', () => {
    expect(isTransferFormat('HttpData-PULL')).toBe(true);
    expect(isTransferFormat('Renkei-NDJSON-STREAM')).toBe(true);
    expect(isTransferFormat('HttpData-PUSH')).toBe(false);
  });

  it('points each format at its exchange endpoint', () => {
    expect(transferEndpoint('https://x.example/', 'battery.cfp', 'Renkei-NDJSON-STREAM')).toBe(
      'https://x.example/datasets/battery.cfp/stream',
    );
    expect(transferEndpoint('https://x.example', 'battery.cfp', 'HttpData-PULL')).toBe(
      'https://x.example/datasets/battery.cfp/snapshot',
    );
  });

  it('advertises one distribution per format with an access service (DSP requires both)', () => {
    const d = transferDistributions('https://x.example', 'battery.cfp');
    expect(d.map((x) => x.format)).toEqual(['HttpData-PULL', 'Renkei-NDJSON-STREAM']);
    for (const x of d) {
      expect(x['@type']).toBe('Distribution');
      expect(x.accessService).toMatchObject({ '@type': 'DataService', endpointURL: 'https://x.example' });
    }
  });

  it('builds a data address with the token as endpoint properties', () => {
    const a = transferDataAddress('https://x.example/datasets/d/stream', 'tok', 600);
    expect(a).toMatchObject({
      '@type': 'DataAddress',
      endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
      endpoint: 'https://x.example/datasets/d/stream',
    });
    expect(a.endpointProperties).toEqual([
      { '@type': 'EndpointProperty', name: 'authorization', value: 'tok' },
      { '@type': 'EndpointProperty', name: 'authType', value: 'bearer' },
      { '@type': 'EndpointProperty', name: 'expiresIn', value: '600' },
    ]);
  });
});
