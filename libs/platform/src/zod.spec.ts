import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseOrThrow, pointer, UuidPipe } from './zod.js';

describe('request validation', () => {
  it('names each failing field with a JSON Pointer', () => {
    const schema = z.object({
      events: z.array(z.object({ payload: z.record(z.string(), z.unknown()) })).min(1),
    });
    expect(() => parseOrThrow(schema, { events: [{ payload: {} }, { payload: 3 }] })).toThrow(
      expect.objectContaining({
        code: 'REQUEST.INVALID',
        details: [expect.objectContaining({ path: '/events/1/payload' })],
      }),
    );
  });

  it('escapes ~ and / in pointer segments (RFC 6901)', () => {
    expect(pointer(['a/b', 'c~d', 0])).toBe('/a~1b/c~0d/0');
  });

  it('refuses an id that is not a UUID with a 400 naming the parameter', () => {
    expect(() => new UuidPipe('grantId').transform('1; DROP TABLE')).toThrow(
      expect.objectContaining({ code: 'REQUEST.INVALID_ID', kind: 'bad-request' }),
    );
    expect(new UuidPipe().transform('0b5c8a52-6b0e-4a53-9a43-3c2b8c7f2a11')).toBe(
      '0b5c8a52-6b0e-4a53-9a43-3c2b8c7f2a11',
    );
  });
});
