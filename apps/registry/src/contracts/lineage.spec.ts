import { describe, expect, it } from 'vitest';
import { DomainError } from '@renkei/domain';
import { verifyDerived, type LineageInput } from './lineage.js';

const me = 'member';
const ref = (dataset: string) => ({ dataset, version: '1.0.0' });
const inputs = new Map<string, LineageInput>([
  ['cell.lots@1.0.0', { owner: 'cell', derived: null }],
  ['auto.parts@1.0.0', { owner: 'auto', derived: null }],
  ['member.own@1.0.0', { owner: me, derived: null }],
  [
    'other.index@1.0.0',
    {
      owner: 'other',
      derived: { aggregate: true, contributors: 3, originators: ['x', 'y', 'cell'], verified: true },
    },
  ],
  // A derived input from before verification: its own declared count is not believed.
  ['legacy.index@1.0.0', { owner: 'legacy', derived: { aggregate: true, contributors: 40 } }],
]);
const held = new Set(['cell.lots', 'auto.parts', 'other.index', 'legacy.index']);

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('verifyDerived', () => {
  it('counts the distinct owners of inputs held or owned, the registrant included', () => {
    const derived = verifyDerived(
      me,
      [ref('cell.lots'), ref('auto.parts'), ref('member.own')],
      { aggregate: true, contributors: null },
      inputs,
      held,
    );
    expect(derived).toEqual({
      aggregate: true,
      contributors: 3,
      originators: ['auto', 'cell', me],
      verified: true,
    });
  });

  it('counts through a verified derived input, and an unverified one as its owner only', () => {
    const derived = verifyDerived(me, [ref('other.index'), ref('cell.lots')], undefined, inputs, held);
    expect(derived.originators).toEqual(['cell', 'other', 'x', 'y']);
    const legacy = verifyDerived(me, [ref('legacy.index')], undefined, inputs, held);
    expect(legacy).toMatchObject({ aggregate: false, contributors: 1, originators: ['legacy'] });
  });

  it('accepts a declared count up to the verified one, and stores the verified count', () => {
    const derived = verifyDerived(
      me,
      [ref('cell.lots'), ref('auto.parts')],
      { aggregate: true, contributors: 1 },
      inputs,
      held,
    );
    expect(derived.contributors).toBe(2);
  });

  it('refuses a declared count above the verified one, naming /derived/contributors', () => {
    const error = refusal(() =>
      verifyDerived(me, [ref('cell.lots')], { aggregate: true, contributors: 50 }, inputs, held),
    );
    expect(error).toMatchObject({ code: 'DERIVED.CONTRIBUTORS_UNVERIFIED', kind: 'unprocessable' });
    expect(error.details).toEqual([
      {
        path: '/derived/contributors',
        message: 'declared 50, the platform counts 1 distinct originators behind the lineage',
      },
    ]);
  });

  it('refuses inputs not held, and versions that do not exist, naming each one', () => {
    const error = refusal(() =>
      verifyDerived(
        me,
        [ref('cell.lots'), ref('auto.parts'), { dataset: 'cell.lots', version: '9.0.0' }],
        undefined,
        inputs,
        new Set(['cell.lots']),
      ),
    );
    expect(error).toMatchObject({ code: 'LINEAGE.INPUT_NOT_HELD', kind: 'forbidden' });
    expect(error.details.map((d) => d.path)).toEqual(['/lineage/1', '/lineage/2']);
    expect(error.details[0]!.message).toContain("no grant held for dataset 'auto.parts'");
  });

  it('counts repeated inputs and inputs of the same originator once', () => {
    const derived = verifyDerived(
      me,
      [ref('member.own'), ref('member.own'), ref('cell.lots'), ref('cell.lots')],
      undefined,
      inputs,
      held,
    );
    expect(derived.contributors).toBe(2);
  });
});
