import { describe, expect, it } from 'vitest';
import type { ContractTerms } from '@renkei/domain';
import { contractTermViolations, tagsOf } from './terms.js';

const base: Omit<ContractTerms, 'owner' | 'status' | 'dataset' | 'version'> = {
  title: 'Ward bed occupancy',
  domain: 'supply-chain',
  purposes: ['capacity-planning'],
  sensitivity: 'internal',
  residency: null,
  retentionDays: null,
  visibility: 'consortium',
  invited: [],
  fields: {},
  schema: {
    type: 'object',
    properties: {
      wardId: { type: 'string' },
      patientName: { type: 'string' },
      diagnosis: { type: 'string' },
    },
  },
};

const paths = (terms: typeof base) => contractTermViolations(terms).map((d) => d.path);

describe('contract terms', () => {
  it('accepts plain supply-chain terms', () => {
    expect(contractTermViolations(base)).toEqual([]);
  });

  it('escapes field names in the JSON Pointers it reports (RFC 6901)', () => {
    expect(
      paths({
        ...base,
        fields: { 'a/b~c': { tags: ['competitive', 'cooperative'], residency: null, description: null } },
      }),
    ).toEqual(['/fields/a~1b~0c', '/fields/a~1b~0c/tags']);
  });

  it("requires health data to be 'restricted' (field-encrypted)", () => {
    expect(paths({ ...base, domain: 'health', sensitivity: 'confidential' })).toEqual(['/sensitivity']);
    expect(paths({ ...base, domain: 'health', sensitivity: 'restricted' })).toEqual([]);
  });

  it("requires sensitive personal fields to be 'restricted' and names them", () => {
    const terms = { ...base, fields: { diagnosis: { tags: ['sensitive-personal' as const] } } };
    const [detail] = contractTermViolations(terms);
    expect(detail).toMatchObject({ path: '/sensitivity' });
    expect(detail?.message).toContain('diagnosis');
  });

  it("requires personal fields to be at least 'confidential'", () => {
    const terms = { ...base, fields: { patientName: { tags: ['personal' as const] } } };
    expect(paths(terms)).toEqual(['/sensitivity']);
    expect(paths({ ...terms, sensitivity: 'confidential' })).toEqual([]);
  });

  it('refuses tags on fields the schema does not define, and competitive with cooperative', () => {
    const terms = {
      ...base,
      fields: { nope: { tags: [] }, wardId: { tags: ['competitive' as const, 'cooperative' as const] } },
    };
    expect(paths(terms)).toEqual(['/fields/nope', '/fields/wardId/tags']);
  });

  it('refuses a payload schema that is not an object', () => {
    expect(paths({ ...base, schema: { type: 'array', items: {} } })).toEqual(['/schema/type']);
  });

  it('refuses invitations on a consortium-wide dataset', () => {
    expect(paths({ ...base, invited: ['3f1c8a52-6a3e-4f7e-9c3e-2b8f0f5d7a10'] })).toEqual(['/invited']);
  });

  it('collects the tags of every field, once, sorted', () => {
    expect(
      tagsOf({ a: { tags: ['personal', 'competitive'] }, b: { tags: ['competitive'] }, c: { tags: [] } }),
    ).toEqual(['competitive', 'personal']);
  });
});
