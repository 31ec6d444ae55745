import { describe, expect, it } from 'vitest';
import { newDataKey, wrapKey } from './envelope.js';
import { kekId, KekRing, UnknownKekError } from './kek-ring.js';

describe('KekRing (KEK rotation)', () => {
  it('wraps under the current KEK and records its id', () => {
    const current = newDataKey();
    const ring = new KekRing(current, [newDataKey()]);
    const key = newDataKey();
    const { kekId: id, wrapped } = ring.wrap(key, 'k1');
    expect(id).toBe(kekId(current));
    expect(id).toMatch(/^kek-[0-9a-f]{16}$/);
    expect(ring.unwrap(id, wrapped, 'k1').equals(key)).toBe(true);
    expect(() => ring.unwrap(id, wrapped, 'k2')).toThrow();
  });

  it('unwraps with the KEK the row names, and only if it is configured', () => {
    const old = newDataKey();
    const key = newDataKey();
    const before = new KekRing(old).wrap(key, 'k1');
    const rotated = new KekRing(newDataKey(), [old]);
    expect(rotated.unwrap(before.kekId, before.wrapped, 'k1').equals(key)).toBe(true);
    const withoutOld = new KekRing(newDataKey());
    expect(() => withoutOld.unwrap(before.kekId, before.wrapped, 'k1')).toThrow(UnknownKekError);
  });

  it('re-wraps under the new KEK so that the old one can be removed', () => {
    const old = newDataKey();
    const next = newDataKey();
    const key = newDataKey();
    const before = new KekRing(old).wrap(key, 'k1');
    const after = new KekRing(next, [old]).rewrap(before.kekId, before.wrapped, 'k1');
    expect(after.kekId).toBe(kekId(next));
    expect(after.wrapped.equals(before.wrapped)).toBe(false);
    // Only the new KEK configured: the re-wrapped key still opens, the old wrapping no longer does.
    const onlyNew = new KekRing(next);
    expect(onlyNew.unwrap(after.kekId, after.wrapped, 'k1').equals(key)).toBe(true);
    expect(() => onlyNew.unwrap(before.kekId, before.wrapped, 'k1')).toThrow(UnknownKekError);
  });

  it('opens rows wrapped before ids were recorded with whichever configured KEK fits', () => {
    const old = newDataKey();
    const key = newDataKey();
    const legacy = wrapKey(old, key, 'k1');
    expect(new KekRing(newDataKey(), [old]).unwrap(null, legacy, 'k1').equals(key)).toBe(true);
    expect(() => new KekRing(newDataKey()).unwrap(null, legacy, 'k1')).toThrow(UnknownKekError);
  });

  it('reads the current and previous KEKs from configuration', () => {
    const a = newDataKey();
    const b = newDataKey();
    const ring = KekRing.fromConfig(a.toString('base64url'), ` ${b.toString('base64url')} ,`);
    expect(ring.current.id).toBe(kekId(a));
    expect(ring.ids).toEqual([kekId(a), kekId(b)]);
    expect(() => KekRing.fromConfig(a.toString('base64url'), 'c2hvcnQ')).toThrow(/32 bytes/);
  });
});
