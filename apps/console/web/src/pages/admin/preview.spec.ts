import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/problem';
import { previewMissing } from './preview';

describe('the offboarding preview', () => {
  it('is missing when the route is unknown, not when the participant is', () => {
    expect(
      previewMissing(new ApiError(404, 'HTTP.NOT_FOUND', 'Cannot GET /participants/x/offboarding-impact')),
    ).toBe(true);
    expect(previewMissing(new ApiError(404, 'PARTICIPANT.NOT_FOUND', 'No participant x'))).toBe(false);
    expect(previewMissing(new ApiError(503, 'DEPENDENCY.UNAVAILABLE', 'down'))).toBe(false);
    expect(previewMissing(new Error('offline'))).toBe(false);
  });
});
