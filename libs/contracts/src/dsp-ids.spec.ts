import { describe, expect, it } from 'vitest';
import {
  dspDatasetId,
  dspOfferId,
  MAX_DSP_ID_LENGTH,
  parseDspDatasetId,
  parseDspOfferId,
  parseDspRef,
} from './dsp-ids.js';

describe('DSP ids of contract versions', () => {
  it('names datasets and offers by dataset and version, and reads them back', () => {
    expect(dspDatasetId('battery.cfp', '1.2.0')).toBe('urn:renkei:dataset:battery.cfp:1.2.0');
    expect(dspOfferId('battery.cfp', '1.2.0')).toBe('urn:renkei:offer:battery.cfp:1.2.0');
    expect(parseDspDatasetId('urn:renkei:dataset:battery.cfp:1.2.0-rc.1')).toEqual({
      dataset: 'battery.cfp',
      version: '1.2.0-rc.1',
    });
    expect(parseDspOfferId('urn:renkei:offer:battery.cfp:1.2.0')).toEqual({
      dataset: 'battery.cfp',
      version: '1.2.0',
    });
  });

  it.each([
    'urn:renkei:offer:battery.cfp:1.2.0', // an offer id is not a dataset id
    'urn:renkei:dataset:battery.cfp',
    'urn:renkei:dataset:battery.cfp:',
    'urn:renkei:dataset:Battery.CFP:1.0.0',
    'urn:renkei:dataset:battery.cfp:1.0',
    'urn:renkei:dataset:battery.cfp:1.0.0:extra',
    'urn:renkei:dataset:battery:1.0.0',
    `urn:renkei:dataset:battery.cfp:1.0.0-${'a'.repeat(300)}`,
    'https://registry.renkei.example/contracts/battery.cfp/versions/1.0.0',
    '',
  ])('reads %j as no id of ours', (id) => {
    expect(parseDspDatasetId(id)).toBeNull();
  });
});

describe('parseDspRef (what a peer names a contract version by)', () => {
  it('reads our dataset and offer ids and the registry version URL, with or without #offer', () => {
    const ref = { dataset: 'battery.cfp', version: '1.0.0' };
    expect(parseDspRef(dspDatasetId('battery.cfp', '1.0.0'))).toEqual(ref);
    expect(parseDspRef(dspOfferId('battery.cfp', '1.0.0'))).toEqual(ref);
    const url = 'https://registry.renkei.example/contracts/battery.cfp/versions/1.0.0';
    expect(parseDspRef(url)).toEqual(ref);
    expect(parseDspRef(`${url}#offer`)).toEqual(ref);
  });

  it.each([
    undefined,
    '',
    'urn:renkei:dataset:battery.cfp',
    'urn:renkei:dataset:Battery.CFP:1.0.0',
    'urn:other:dataset:battery.cfp:1.0.0',
    'https://registry.renkei.example/contracts/Battery/versions/1.0.0',
    'https://registry.renkei.example/contracts/battery.cfp/versions/latest',
    'https://registry.renkei.example/contracts/%E0%A4%A/versions/1.0.0',
    `https://registry.renkei.example/${'x/'.repeat(MAX_DSP_ID_LENGTH)}contracts/battery.cfp/versions/1.0.0`,
  ])('reads %j as no contract version', (id) => {
    expect(parseDspRef(id)).toBeNull();
  });
});
