import { describe, expect, it } from 'vitest';
import { medicalRegionTwin, normalWeeks, winterSurge } from '../../../test/fixtures/cps/medical-region.js';
import { forecastOccupancy, proposeTransfers } from './hospital.js';
import { emptyTwin, type Hospital, type Twin } from './model.js';

const hospital = (id: string, over: Partial<Hospital> = {}): Hospital => ({
  id,
  name: id,
  owner: `p-${id}`,
  region: 'Osaka',
  beds: 100,
  occupied: 50,
  dailyAdmissionsMean: 5,
  meanStayDays: 10,
  ...over,
});

describe('proposeTransfers', () => {
  it('sends the excess to the nearest hospitals with spare p90 beds (hand-checked)', () => {
    // A: p90 above its 100 beds from day 1, by up to 20 beds; stay 10 days → divert 20 / 10 = 2 a day.
    // B (10 km): spare from day 1 = min(50-46, 50-45, 50-44) = 4 beds → 4 / 10 = 0.4 a day.
    // C (20 km): spare min(80-70, 80-50, 80-40) = 10 beds → 1 a day. D has no known distance.
    // Left: 2 - 0.4 - 1 = 0.6 a day unplaced.
    const hospitals = [
      hospital('A', { distanceKm: { B: 10, C: 20 } }),
      hospital('B', { beds: 50 }),
      hospital('C', { beds: 80, distanceKm: { A: 20 } }),
      hospital('D', { beds: 100 }),
    ];
    const p90 = [
      [90, 110, 120, 115],
      [40, 46, 45, 44],
      [60, 70, 50, 40],
      [10, 10, 10, 10],
    ];
    expect(proposeTransfers(hospitals, p90)).toEqual({
      transfers: [
        { from: 'A', to: 'B', patientsPerDay: 0.4, day: 1, distanceKm: 10 },
        { from: 'A', to: 'C', patientsPerDay: 1, day: 1, distanceKm: 20 },
      ],
      unplaced: [{ hospital: 'A', patientsPerDay: 0.6 }],
    });
  });

  it('does not send patients to a hospital that overflows itself, and shares a receiver’s spare beds', () => {
    const hospitals = [
      hospital('A', { distanceKm: { B: 5, C: 30 } }),
      hospital('B', { distanceKm: { C: 10 } }),
      hospital('C', { beds: 100 }),
    ];
    // A over by 30 (3 a day), B over by 10 (1 a day); C has 25 spare beds: A takes 2.5 a day, B nothing.
    const p90 = [
      [130, 130],
      [110, 110],
      [75, 75],
    ];
    const r = proposeTransfers(hospitals, p90);
    expect(r.transfers).toEqual([{ from: 'A', to: 'C', patientsPerDay: 2.5, day: 0, distanceKm: 30 }]);
    expect(r.unplaced).toEqual([
      { hospital: 'A', patientsPerDay: 0.5 },
      { hospital: 'B', patientsPerDay: 1 },
    ]);
  });
});

describe('forecastOccupancy', () => {
  it('handles the degenerate cases exactly', () => {
    // stay 1 day: everyone leaves every day, and nobody comes → 0; nobody leaves (p = 1e-12) → stays 10 > 2 beds
    const twin: Twin = {
      ...emptyTwin(),
      hospitals: [
        hospital('empty', { beds: 5, occupied: 3, dailyAdmissionsMean: 0, meanStayDays: 1 }),
        hospital('full', { beds: 2, occupied: 10, dailyAdmissionsMean: 0, meanStayDays: 1e12 }),
      ],
    };
    const r = forecastOccupancy(twin, { horizonDays: 5, runs: 10, seed: 1 });
    expect(r.hospitals[0]!.series.map((p) => [p.p50, p.p90])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(r.hospitals[0]!.overflowProbability).toBe(0);
    expect(r.hospitals[1]!.series.every((p) => p.p50 === 10 && p.p90 === 10)).toBe(true);
    expect(r.hospitals[1]!.overflowProbability).toBe(1);
    expect(r.hospitals[1]!.expectedOverflowDays).toBe(5);
  });

  it('settles at admissions × mean stay', () => {
    const twin: Twin = {
      ...emptyTwin(),
      hospitals: [hospital('h', { beds: 200, occupied: 60, dailyAdmissionsMean: 10, meanStayDays: 12 })],
    };
    const r = forecastOccupancy(twin, { horizonDays: 120, runs: 2000, seed: 3 });
    const last = r.hospitals[0]!.series.at(-1)!;
    expect(Math.abs(last.mean! - 120)).toBeLessThan(2); // 10 × 12; sd of the mean over 2,000 runs ≈ 0.25
    expect(last.p90).toBeGreaterThan(last.p50);
  });

  it('is reproducible from the seed and reports progress', () => {
    const small = { ...winterSurge, runs: 50 };
    const progress: number[] = [];
    const a = forecastOccupancy(medicalRegionTwin, small, (done) => progress.push(done));
    expect(forecastOccupancy(medicalRegionTwin, small)).toEqual(a);
    expect(forecastOccupancy(medicalRegionTwin, { ...small, seed: 2 })).not.toEqual(a);
    expect(progress.at(-1)).toBe(50);
  });

  it('Kansai winter surge: Naniwa and Kansai General overflow, patients go to Sakai first', () => {
    const surge = forecastOccupancy(medicalRegionTwin, winterSurge);
    const risk = Object.fromEntries(surge.hospitals.map((h) => [h.id, h.overflowProbability]));
    expect(risk['naniwa-municipal']).toBeGreaterThan(0.95);
    expect(risk['kansai-general']).toBeGreaterThan(0.5);
    expect(risk['nara-yamato']).toBeLessThan(0.05);
    expect(risk['kyoto-rakuhoku']).toBeLessThan(0.05);
    const fromNaniwa = surge.transfers.filter((t) => t.from === 'naniwa-municipal');
    expect(fromNaniwa[0]!.to).toBe('sakai-seaside'); // 14 km, the nearest one with spare beds
    expect(surge.transfers.every((t) => t.to !== 'kansai-general' && t.to !== 'naniwa-municipal')).toBe(true);
    const normal = forecastOccupancy(medicalRegionTwin, normalWeeks);
    const normalRisk = Object.fromEntries(normal.hospitals.map((h) => [h.id, h.overflowProbability]));
    expect(normalRisk['kansai-general']).toBeLessThan(risk['kansai-general']!);
  });

  it('rejects bad parameters', () => {
    expect(() => forecastOccupancy(medicalRegionTwin, { horizonDays: 0, runs: 1, seed: 1 })).toThrow(
      /horizonDays/,
    );
    expect(() =>
      forecastOccupancy(medicalRegionTwin, { horizonDays: 5, runs: 1, seed: 1, surge: -1 }),
    ).toThrow(/surge/);
  });
});
