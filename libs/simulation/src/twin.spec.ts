import { describe, expect, it } from 'vitest';
import { batteryChainEvents, batteryChainTwin } from '../../../test/fixtures/cps/battery-chain.js';
import { euvLensChainEvents, euvLensChainTwin } from '../../../test/fixtures/cps/euv-lens-chain.js';
import { medicalRegionEvents, medicalRegionTwin } from '../../../test/fixtures/cps/medical-region.js';
import type { Facility } from './model.js';
import { Random } from './random.js';
import { buildTwin, compareEvents, eventsForTwin, TwinBuilder, twinDigest, type TwinEvent } from './twin.js';

let seq = 0;
const ev = (
  dataset: string,
  type: string,
  payload: Record<string, unknown>,
  at = '2026-11-01T00:00:00Z',
): TwinEvent => ({
  dataset,
  id: `e${++seq}`,
  type,
  occurredAt: at,
  payload,
});

const cellPlant: Facility = {
  id: 'cell',
  name: 'Cell plant',
  owner: 'p-cell',
  country: 'JP',
  product: 'cell',
  capacityPerDay: 100,
  leadTimeDays: 3,
  yield: 0.8,
  outputStock: 0,
  inputStock: {},
  kgCo2ePerUnit: 3,
};
const packPlant: Facility = { ...cellPlant, id: 'pack', name: 'Pack plant', product: 'pack', yield: 1 };

describe('TwinBuilder', () => {
  it('applies each event type (numbers by hand in the comments)', () => {
    const b = new TwinBuilder();
    b.apply(ev('net', 'facility.declared', { facility: cellPlant }));
    b.apply(ev('net', 'facility.declared', { facility: packPlant }));
    b.apply(ev('net', 'bom.declared', { lines: [{ product: 'cell', input: 'cathode', ratio: 0.5 }] }));
    b.apply(
      ev('inv', 'inventory.snapshot', { facilityId: 'cell', outputStock: 100, inputStock: { cathode: 50 } }),
    );
    // 40 good cells at yield 0.8 = 50 started, × 0.5 kg = 25 kg cathode used: 50 - 25 = 25 left, 100 + 40 = 140 cells
    b.apply(ev('inv', 'production', { facilityId: 'cell', units: 40, day: 1 }));
    // 30 cells shipped to the pack plant: 140 - 30 = 110 at the cell plant, 30 in the pack plant's input stock
    b.apply(ev('inv', 'shipment', { from: 'cell', to: 'pack', input: 'cell', units: 30 }));
    // 10 kg of cathode from a supplier outside the twin: 25 + 10 = 35
    b.apply(ev('inv', 'shipment', { from: 'outside', to: 'cell', input: 'cathode', units: 10 }));
    b.apply(ev('co2', 'emission', { facilityId: 'cell', kgCo2ePerUnit: 2.75 }));
    const t = b.snapshot();
    const cell = t.facilities.find((f) => f.id === 'cell')!;
    const pack = t.facilities.find((f) => f.id === 'pack')!;
    expect(cell.outputStock).toBe(140 - 30);
    expect(cell.inputStock).toEqual({ cathode: 35 });
    expect(cell.kgCo2ePerUnit).toBe(2.75);
    expect(pack.inputStock).toEqual({ cell: 30 });
    expect(t.sources).toEqual([
      { dataset: 'co2', lastEventId: `e${seq}`, events: 1, ignored: 0 },
      { dataset: 'inv', lastEventId: `e${seq - 1}`, events: 4, ignored: 0 },
      { dataset: 'net', lastEventId: `e${seq - 5}`, events: 3, ignored: 0 },
    ]);
  });

  it('tracks hospital occupancy from declarations, occupancy records, admissions and discharges', () => {
    const b = new TwinBuilder();
    const hospital = {
      id: 'h1',
      name: 'H1',
      owner: 'p-h1',
      region: 'Osaka',
      beds: 10,
      occupied: 8,
      dailyAdmissionsMean: 2,
      meanStayDays: 5,
    };
    b.apply(ev('h', 'hospital.declared', { hospital }));
    for (let i = 0; i < 3; i++) b.apply(ev('adm', 'admission', { hospitalId: 'h1' }));
    b.apply(ev('adm', 'discharge', { hospitalId: 'h1' }));
    expect(b.snapshot().hospitals[0]!.occupied).toBe(8 + 3 - 1);
    b.apply(ev('beds', 'bed.occupancy', { hospitalId: 'h1', occupied: 1, beds: 12 }));
    b.apply(ev('adm', 'discharge', { hospitalId: 'h1' }));
    b.apply(ev('adm', 'discharge', { hospitalId: 'h1' })); // not below 0
    expect(b.snapshot().hospitals[0]).toMatchObject({ occupied: 0, beds: 12 });
  });

  it('replaces a product’s recipe and a facility+input’s sourcing as a whole', () => {
    const b = new TwinBuilder();
    b.apply(
      ev('n', 'bom.declared', {
        lines: [
          { product: 'p', input: 'a', ratio: 1 },
          { product: 'p', input: 'b', ratio: 2 },
          { product: 'q', input: 'a', ratio: 3 },
        ],
      }),
    );
    b.apply(ev('n', 'bom.declared', { lines: [{ product: 'p', input: 'c', ratio: 4 }] }));
    expect(b.snapshot().bom).toEqual([
      { product: 'p', input: 'c', ratio: 4 },
      { product: 'q', input: 'a', ratio: 3 },
    ]);
    b.apply(
      ev('n', 'supply.declared', {
        links: [
          { facility: 'f', input: 'a', supplier: 's1', share: 0.5 },
          { facility: 'f', input: 'a', supplier: 's2', share: 0.5 },
          { facility: 'f', input: 'b', supplier: 's3', share: 1 },
        ],
      }),
    );
    b.apply(
      ev('n', 'supply.declared', {
        links: [{ facility: 'f', input: 'a', supplier: 's4', share: 1, leadTimeDays: 9 }],
      }),
    );
    expect(b.snapshot().links).toEqual([
      { facility: 'f', input: 'a', supplier: 's4', share: 1, leadTimeDays: 9 },
      { facility: 'f', input: 'b', supplier: 's3', share: 1 },
    ]);
  });

  it('consumes but does not apply unknown types, malformed payloads and unknown facilities', () => {
    const b = new TwinBuilder();
    b.apply(ev('x', 'facility.declared', { facility: { ...cellPlant, yield: 1.5 } }));
    b.apply(ev('x', 'something.else', {}));
    b.apply(ev('x', 'production', { facilityId: 'nowhere', units: 1 }));
    b.apply(ev('x', 'inventory.snapshot', { facilityId: 'cell', outputStock: 'many', inputStock: {} }));
    const t = b.snapshot();
    expect(t.facilities).toEqual([]);
    expect(t.sources).toEqual([{ dataset: 'x', lastEventId: `e${seq}`, events: 4, ignored: 4 }]);
    expect(b.problems().map((p) => p.reason)).toEqual([
      'yield must be a number in (0, 1]',
      'unknown event type something.else',
      'unknown facility nowhere',
      'unknown facility cell',
    ]);
  });

  it('keeps asOf at the latest occurredAt, whatever the arrival order', () => {
    const b = new TwinBuilder();
    b.apply(ev('a', 'admission', {}, '2026-11-02T00:00:00Z'));
    b.apply(ev('a', 'admission', {}, '2026-11-01T00:00:00Z'));
    expect(b.snapshot().asOf).toBe('2026-11-02T00:00:00Z');
  });

  it('does not let callers change its state through a snapshot or the base twin', () => {
    const base = buildTwin(euvLensChainEvents);
    const b = new TwinBuilder(base);
    base.facilities[0]!.inputStock.fluorite = -1;
    const snap = b.snapshot();
    snap.facilities[0]!.outputStock = 999;
    expect(b.snapshot()).toEqual(euvLensChainTwin);
  });
});

describe('replay', () => {
  it.each([
    ['EUV lens chain', euvLensChainEvents, euvLensChainTwin],
    ['battery chain', batteryChainEvents, batteryChainTwin],
    ['medical region', medicalRegionEvents, medicalRegionTwin],
  ])('the %s fixture events build exactly the fixture twin', (_name, events, twin) => {
    const b = new TwinBuilder();
    for (const e of events) b.apply(e);
    expect(b.snapshot()).toEqual(twin);
    expect(b.digest()).toBe(twinDigest(twin));
  });

  it('rebuilds the same twin and digest every time, and continues exactly from a snapshot', () => {
    // A day of operations on top of the declarations: production, shipments, emissions, in three topics.
    const rng = Random.seeded(11);
    const ops: TwinEvent[] = [];
    const at = (i: number) => new Date(Date.parse('2026-11-05T00:00:00Z') + i * 60_000).toISOString();
    for (let i = 0; i < 300; i++) {
      const k = rng.int(0, 2);
      if (k === 0)
        ops.push(
          ev('cps.production', 'production', { facilityId: 'blank-jp-shiga', units: rng.int(0, 3) }, at(i)),
        );
      if (k === 1)
        ops.push(
          ev(
            'cps.shipments',
            'shipment',
            { from: 'fluorite-cn-baotou', to: 'blank-jp-shiga', input: 'fluorite', units: rng.int(10, 60) },
            at(i),
          ),
        );
      if (k === 2)
        ops.push(
          ev(
            'cps.emissions',
            'emission',
            { facilityId: 'lens-jp-utsunomiya', kgCo2ePerUnit: 4000 + rng.int(0, 999) },
            at(i),
          ),
        );
    }
    const all = [...euvLensChainEvents, ...ops];
    const first = new TwinBuilder();
    for (const e of all) first.apply(e);
    const second = new TwinBuilder();
    for (const e of all) second.apply(e);
    expect(second.digest()).toBe(first.digest());
    expect(second.snapshot()).toEqual(first.snapshot());

    // from a stored snapshot halfway, then the rest
    const half = Math.floor(all.length / 2);
    const resumed = new TwinBuilder(buildTwin(all.slice(0, half)));
    for (const e of all.slice(half)) resumed.apply(e);
    expect(resumed.digest()).toBe(first.digest());

    // the topics read in another interleaving, merged back by compareEvents
    const shuffled = [...all];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    expect(buildTwin([...shuffled].sort(compareEvents))).toEqual(buildTwin([...all].sort(compareEvents)));

    // and a single different event changes the digest
    const target = ops.find((e) => e.type === 'shipment');
    const changed = all.map((e) => (e === target ? { ...e, payload: { ...e.payload, units: 99 } } : e));
    expect(twinDigest(buildTwin(changed))).not.toBe(first.digest());
  });

  it('eventsForTwin round-trips a generated 200-facility network', async () => {
    const { syntheticNetwork } = await import('../../../bench/synthetic-network.js');
    const net = syntheticNetwork(200, 3);
    const events = eventsForTwin(net, { idPrefix: 's', startAt: '2026-01-01T00:00:00Z' });
    const rebuilt = buildTwin(events);
    const sorted = buildTwin([], net);
    expect({ ...rebuilt, asOf: null, sources: [] }).toEqual({ ...sorted, asOf: null, sources: [] });
  });
});
