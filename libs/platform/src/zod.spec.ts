import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import 'reflect-metadata';
import {
  ApiZodBody,
  DatasetPipe,
  parseOrThrow,
  pointer,
  TextParamPipe,
  UuidPipe,
  VersionPipe,
  ZodPipe,
} from './zod.js';

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

  it('reads a missing body as {} but refuses a null body with a pointer to the root', () => {
    const optional = z.object({ reason: z.string().nullable().default(null) });
    expect(new ZodPipe(optional).transform(undefined)).toEqual({ reason: null });
    expect(new ZodPipe(optional).transform({ reason: 'why' })).toEqual({ reason: 'why' });
    for (const body of [null, 'text', 42, [1]]) {
      expect(() => new ZodPipe(optional).transform(body)).toThrow(
        expect.objectContaining({
          code: 'REQUEST.INVALID',
          kind: 'bad-request',
          details: [expect.objectContaining({ path: '' })],
        }),
      );
    }
  });

  it('documents a body as required exactly when {} is not valid', () => {
    const bodyOf = (schema: z.ZodType) => {
      class Probe {
        @ApiZodBody(schema)
        handler() {}
      }
      return Reflect.getMetadata('swagger/apiParameters', Probe.prototype.handler) as {
        required: boolean;
      }[];
    };
    expect(bodyOf(z.object({ reason: z.string().optional() }))[0]!.required).toBe(false);
    expect(bodyOf(z.object({ reason: z.string() }))[0]!.required).toBe(true);
  });

  it('refuses a dataset or version path segment outside the id grammar, before any lookup', () => {
    expect(new DatasetPipe().transform('battery.cfp')).toBe('battery.cfp');
    expect(new VersionPipe().transform('1.2.0-rc.1')).toBe('1.2.0-rc.1');
    for (const bad of ['battery\u0000.cfp', 'Battery.CFP', 'battery', `a.${'b'.repeat(300)}`]) {
      expect(() => new DatasetPipe().transform(bad)).toThrow(
        expect.objectContaining({
          code: 'REQUEST.INVALID_ID',
          details: [expect.objectContaining({ path: '/dataset' })],
        }),
      );
    }
    for (const bad of ['v1.0.0', '1.0', '1.0.0+build', '1.0.0\u0000']) {
      expect(() => new VersionPipe().transform(bad)).toThrow(
        expect.objectContaining({ code: 'REQUEST.INVALID_ID' }),
      );
    }
  });

  it('refuses a NUL character anywhere in a validated input with a 400 naming the field (never a 500)', () => {
    const schema = z.object({ dataset: z.string().optional(), tags: z.array(z.string()).default([]) });
    expect(parseOrThrow(schema, { dataset: 'battery.cfp' })).toEqual({ dataset: 'battery.cfp', tags: [] });
    expect(() => parseOrThrow(schema, { dataset: '\u0000x', tags: ['ok', 'a\u0000'] })).toThrow(
      expect.objectContaining({
        code: 'REQUEST.INVALID',
        details: [
          expect.objectContaining({ path: '/dataset' }),
          expect.objectContaining({ path: '/tags/1' }),
        ],
      }),
    );
  });

  it('refuses a free-text path segment that is empty, too long or carries control characters', () => {
    expect(new TextParamPipe('subjectRef').transform('pt-7f3a91')).toBe('pt-7f3a91');
    for (const bad of ['', 'pt\u0000', 'pt\n1', 'x'.repeat(201)]) {
      expect(() => new TextParamPipe('subjectRef').transform(bad)).toThrow(
        expect.objectContaining({
          code: 'REQUEST.INVALID_ID',
          details: [expect.objectContaining({ path: '/subjectRef' })],
        }),
      );
    }
  });
});
