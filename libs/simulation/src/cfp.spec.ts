import { describe, expect, it } from 'vitest';
import {
  batteryChainTwin,
  expectedPackCfpKg,
  expectedVehicleCfpKg,
} from '../../../test/fixtures/cps/battery-chain.js';
import { rollUpCfp } from './cfp.js';
import { emptyTwin, type Facility, type Twin } from './model.js';

const facility = (id: string, product: string, kg: number, over: Partial<Facility> = {}): Facility => ({
  id,
  name: id,
  owner: `p-${id}`,
  country: 'JP',
  product,
  capacityPerDay: 10,
  leadTimeDays: 0,
  yield: 1,
  outputStock: 0,
  inputStock: {},
  kgCo2ePerUnit: kg,
  ...over,
});

describe('rollUpCfp', () => {
  it('rolls the battery chain up to 9,190 kg CO2e per vehicle (by hand in the fixture)', () => {
    const r = rollUpCfp(batteryChainTwin, 'vehicle');
    expect(r.kgCo2ePerUnit).toBe(expectedVehicleCfpKg);
    expect(r.breakdown).toEqual([
      {
        facility: 'vehicle-jp-toyota-city',
        product: 'vehicle',
        kgCo2e: 5500,
        share: 0.598477,
        unitsPerUnit: 1,
      },
      { facility: 'cathode-jp-niihama', product: 'cathode', kgCo2e: 1350, share: 0.146899, unitsPerUnit: 90 },
      { facility: 'cell-jp-himeji', product: 'cell', kgCo2e: 900, share: 0.097933, unitsPerUnit: 300 },
      {
        facility: 'cathode-kr-gwangyang',
        product: 'cathode',
        kgCo2e: 720,
        share: 0.078346,
        unitsPerUnit: 60,
      },
      {
        facility: 'mine-cl-atacama',
        product: 'concentrate',
        kgCo2e: 300,
        share: 0.032644,
        unitsPerUnit: 150,
      },
      { facility: 'mine-au-pilbara', product: 'concentrate', kgCo2e: 270, share: 0.02938, unitsPerUnit: 225 },
      { facility: 'pack-jp-kakogawa', product: 'pack', kgCo2e: 150, share: 0.016322, unitsPerUnit: 1 },
    ]);
    expect(r.breakdown.reduce((a, b) => a + b.kgCo2e, 0)).toBeCloseTo(expectedVehicleCfpKg, 6);
    expect(rollUpCfp(batteryChainTwin, 'pack').kgCo2ePerUnit).toBe(expectedPackCfpKg);
    expect(rollUpCfp(batteryChainTwin, 'cell').kgCo2ePerUnit).toBe(11.8);
  });

  it('averages several makers by capacity and falls back to the twin’s makers of an unlinked input', () => {
    // p1 (capacity 30, 2 kg) and p2 (capacity 10, 6 kg) make 'part': (30 × 2 + 10 × 6) / 40 = 3 kg each.
    // 'kit' needs 2 parts and has no supply link: 1 + 2 × 3 = 7 kg.
    const twin: Twin = {
      ...emptyTwin(),
      facilities: [
        facility('p1', 'part', 2, { capacityPerDay: 30 }),
        facility('p2', 'part', 6, { capacityPerDay: 10 }),
        facility('k', 'kit', 1),
      ],
      bom: [
        { product: 'kit', input: 'part', ratio: 2 },
        { product: 'kit', input: 'glue', ratio: 1 },
      ],
    };
    expect(rollUpCfp(twin, 'part').kgCo2ePerUnit).toBe(3);
    const kit = rollUpCfp(twin, 'kit');
    expect(kit.kgCo2ePerUnit).toBe(7);
    expect(kit.missing).toEqual(['k/glue']); // nobody makes glue: counted as 0
  });

  it('divides input use by the yield: 1 kg input per unit at 50 % yield is 2 kg per good unit', () => {
    const twin: Twin = {
      ...emptyTwin(),
      facilities: [facility('s', 'powder', 10), facility('t', 'tablet', 1, { yield: 0.5 })],
      bom: [{ product: 'tablet', input: 'powder', ratio: 1 }],
      links: [{ facility: 't', input: 'powder', supplier: 's', share: 1 }],
    };
    expect(rollUpCfp(twin, 'tablet').kgCo2ePerUnit).toBe(1 + 2 * 10);
  });

  it('refuses unknown products and cyclic bills of materials', () => {
    expect(() => rollUpCfp(batteryChainTwin, 'bicycle')).toThrow(/no facility/);
    const cyclic: Twin = {
      ...emptyTwin(),
      facilities: [facility('a', 'x', 1), facility('b', 'y', 1)],
      bom: [
        { product: 'x', input: 'y', ratio: 1 },
        { product: 'y', input: 'x', ratio: 1 },
      ],
      links: [
        { facility: 'a', input: 'y', supplier: 'b', share: 1 },
        { facility: 'b', input: 'x', supplier: 'a', share: 1 },
      ],
    };
    expect(() => rollUpCfp(cyclic, 'x')).toThrow(/cycle: a → b → a/);
  });
});
