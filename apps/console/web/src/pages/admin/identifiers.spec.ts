import { describe, expect, it } from 'vitest';
import { bpnProblem, corporateNumberProblem, leiProblem } from './identifiers';

describe('live identifier checks (the registry applies the same rules)', () => {
  it('accepts a corporate number whose check digit matches, and says which digit is wrong otherwise', () => {
    expect(corporateNumberProblem('7000012050002')).toBeUndefined(); // National Tax Agency
    expect(corporateNumberProblem('8000012050002')).toEqual({
      key: 'onboard.errors.corporateNumberCheck',
      values: { given: '8', expected: 7 },
    });
  });

  it('says how many digits there are so far, and refuses letters', () => {
    expect(corporateNumberProblem('700001205')).toEqual({
      key: 'onboard.errors.corporateNumberLength',
      values: { count: 9 },
    });
    expect(corporateNumberProblem('70000120500O2')?.key).toBe('onboard.errors.corporateNumberDigits');
    expect(corporateNumberProblem('')).toBeUndefined(); // optional when an LEI or BPN is given
  });

  it('checks the LEI (MOD 97-10) and the BPNL format', () => {
    expect(leiProblem('5493001KJTIIGC8Y1R12')).toBeUndefined();
    expect(leiProblem('5493001KJTIIGC8Y1R13')?.key).toBe('onboard.errors.leiCheck');
    expect(leiProblem('5493001KJTIIGC')?.key).toBe('onboard.errors.leiFormat');
    expect(bpnProblem('BPNL00000003AYRE')).toBeUndefined();
    expect(bpnProblem('BPNS00000003AYRE')?.key).toBe('onboard.errors.bpnFormat');
  });
});
