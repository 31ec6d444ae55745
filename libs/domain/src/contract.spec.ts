import { describe, expect, it } from 'vitest';
import { assertContractTransition, ContractStatuses, type ContractStatus } from './contract.js';
import { DomainError } from './errors.js';
import { currentVersion } from './projection.js';

const legal = new Set(['draft->active', 'active->deprecated', 'deprecated->retired']);

describe('contract lifecycle', () => {
  for (const from of ContractStatuses) {
    for (const to of ContractStatuses) {
      const move = `${from}->${to}`;
      if (legal.has(move)) {
        it(`allows ${move}`, () => expect(() => assertContractTransition(from, to)).not.toThrow());
      } else {
        it(`refuses ${move} with CONTRACT.ILLEGAL_TRANSITION and a hint`, () => {
          let error: unknown;
          try {
            assertContractTransition(from, to);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe('CONTRACT.ILLEGAL_TRANSITION');
          expect((error as DomainError).kind).toBe('conflict');
          expect((error as DomainError).hint).toBeTruthy();
        });
      }
    }
  }

  it('asks to deprecate before retiring an active version', () => {
    expect(() => assertContractTransition('active', 'retired')).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('Deprecate') }) as Error,
    );
  });
});

describe('current version', () => {
  const v = (version: string, status: ContractStatus) => ({ version, status });

  it('is the newest active or deprecated release; drafts and retired versions never are', () => {
    expect(
      currentVersion([
        v('1.0.0', 'deprecated'),
        v('1.1.0', 'active'),
        v('2.0.0', 'draft'),
        v('1.2.0', 'retired'),
      ]),
    ).toEqual(v('1.1.0', 'active'));
  });

  it('prefers any release over a newer pre-release, and takes a pre-release when nothing else exists', () => {
    expect(currentVersion([v('1.0.0', 'active'), v('1.1.0-rc.1', 'active')])?.version).toBe('1.0.0');
    expect(currentVersion([v('1.1.0-rc.1', 'active')])?.version).toBe('1.1.0-rc.1');
  });

  it('is nothing when no version is in service', () => {
    expect(currentVersion([v('1.0.0', 'retired'), v('1.1.0', 'draft')])).toBeUndefined();
  });
});
