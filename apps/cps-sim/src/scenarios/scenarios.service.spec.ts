import { describe, expect, it } from 'vitest';
import { DomainError } from '@renkei/domain';
import { ScenariosService } from './scenarios.service.js';

describe('scenarios', () => {
  const scenarios = new ScenariosService();

  it('keeps a scenario with the parameters of its kind', () => {
    const s = scenarios.define(
      {
        name: 'Fluorite CN 60 days',
        kind: 'disruption',
        params: { stop: { country: 'CN' }, days: 60, horizonDays: 180 },
      },
      'org-a',
    );
    expect(scenarios.get(s.id)).toEqual(s);
    expect(scenarios.list()).toContainEqual(s);
  });

  it('refuses parameters that do not fit the kind, pointing into /params', () => {
    const error = (() => {
      try {
        scenarios.define({ name: 'broken', kind: 'disruption', params: { stop: {}, days: 0 } }, 'org-a');
      } catch (e) {
        return e;
      }
    })() as DomainError;
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('SCENARIO.INVALID_PARAMS');
    expect(error.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(['/params/stop', '/params/days']),
    );
  });

  it('checks method-switch methods: a yield outside (0, 1] points at /params/base/yield', () => {
    const method = { name: 'EUV', yield: 0.9, unitsPerDay: 100, costPerUnit: 10, kWhPerUnit: 5 };
    expect(
      scenarios.define({ name: 'ok', kind: 'method-switch', params: { base: method, alt: method } }, 'org-a')
        .params,
    ).toEqual({ base: method, alt: method });
    const error = (() => {
      try {
        scenarios.define(
          {
            name: 'broken',
            kind: 'method-switch',
            params: { base: { ...method, yield: 1.5 }, alt: { ...method, unitsPerDay: 0 } },
          },
          'org-a',
        );
      } catch (e) {
        return e;
      }
    })() as DomainError;
    expect(error.code).toBe('SCENARIO.INVALID_PARAMS');
    expect(error.details.map((d) => d.path)).toEqual(
      expect.arrayContaining(['/params/base/yield', '/params/alt/unitsPerDay']),
    );
  });

  it('answers SCENARIO.NOT_FOUND for an unknown id', () => {
    expect(() => scenarios.get('nope')).toThrow(expect.objectContaining({ code: 'SCENARIO.NOT_FOUND' }));
  });
});
