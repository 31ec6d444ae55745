import { describe, expect, it } from 'vitest';
import { controlCharacterIn, scanBody, scanUrlAndHeaders } from './input-rules.js';

describe('control-character rule', () => {
  it('lets ordinary text, emoji (surrogate pairs) and Japanese through', () => {
    expect(controlCharacterIn('バッテリー 🔋 carbon footprint', 'strict')).toBeNull();
    expect(scanBody({ name: '連携 🔋', lines: ['a\tb', 'c\r\nd'] })).toEqual([]);
    expect(
      scanUrlAndHeaders('/catalog/%E9%80%A3%E6%90%BA?q=%F0%9F%94%8B&tag=a+b', { 'user-agent': 'x\ty' }),
    ).toEqual([]);
  });

  it('refuses NUL, DEL and C1 everywhere, and tab/newline outside body strings', () => {
    expect(controlCharacterIn('a\u0000b', 'text')).toBe('contains the control character U+0000 at index 1');
    expect(controlCharacterIn('a\u007f', 'text')).toMatch(/U\+007F/);
    expect(controlCharacterIn('a\u0085', 'text')).toMatch(/U\+0085/);
    expect(controlCharacterIn('a\tb\nc\r', 'text')).toBeNull();
    expect(controlCharacterIn('a\tb', 'strict')).toMatch(/U\+0009/);
  });

  it('refuses unpaired surrogates, high or low, but not pairs', () => {
    expect(controlCharacterIn('x\uD83D', 'text')).toMatch(/unpaired UTF-16 surrogate \(U\+D83D\)/);
    expect(controlCharacterIn('\uDD0Bx', 'text')).toMatch(/U\+DD0B/);
    expect(controlCharacterIn('\uD83D\uDD0B', 'text')).toBeNull();
  });

  it('names each failing place as a JSON Pointer into the request', () => {
    expect(scanUrlAndHeaders('/datasets/a%00b/events?q=%00&q=ok&q=%07&x%00=1', {})).toEqual([
      { path: '/path/1', message: expect.stringContaining('U+0000') },
      { path: '/query/q', message: expect.stringContaining('U+0000') },
      { path: '/query/q/2', message: expect.stringContaining('U+0007') },
      { path: '/query/x\u0000', message: expect.stringContaining('U+0000') },
    ]);
    expect(scanUrlAndHeaders('/a', { 'x-trace': 'a\u0001b' })).toEqual([
      { path: '/headers/x-trace', message: expect.stringContaining('U+0001') },
    ]);
    expect(
      scanBody({ events: [{ payload: { name: 'ok' } }, { payload: { 'a/b': 'x\u0000', name: 'y\uDC00' } }] }),
    ).toEqual([
      { path: '/body/events/1/payload/a~1b', message: expect.stringContaining('U+0000') },
      { path: '/body/events/1/payload/name', message: expect.stringContaining('surrogate') },
    ]);
    expect(scanBody({ ['k\u0000']: 1 })).toEqual([
      { path: '/body/k\u0000', message: expect.stringMatching(/^the property name contains/) },
    ]);
    expect(scanBody('title: a\u0000', '/body')).toEqual([{ path: '/body', message: expect.any(String) }]);
  });

  it('treats a malformed percent-encoding as a refusal, not a crash', () => {
    expect(scanUrlAndHeaders('/a/%E9%80?q=%ZZ', {})).toEqual([
      { path: '/path/1', message: 'is not valid percent-encoded UTF-8' },
      { path: '/query/q', message: 'is not valid percent-encoded UTF-8' },
    ]);
  });

  it('walks a deeply nested body without overflowing the stack, and stops after 20 findings', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(scanBody(deep)).toHaveLength(1);
    expect(scanBody(Array.from({ length: 1000 }, () => '\u0000'))).toHaveLength(20);
  });

  it('scans a clean 10 MB publish batch in a few times what JSON.parse takes to read it', () => {
    const events = Array.from({ length: 20_000 }, (_, i) => ({
      subject: `lot-${i}`,
      payload: { lotId: `lot-${i}`, plant: 'Himeji', note: 'x'.repeat(400), cfp: 61.4, tags: ['a', 'b'] },
    }));
    const text = JSON.stringify({ events });
    expect(text.length).toBeGreaterThan(9_000_000);
    const fastest = (fn: () => unknown) =>
      Math.min(
        ...Array.from({ length: 3 }, () => {
          const started = performance.now();
          fn();
          return performance.now() - started;
        }),
      );
    const body: unknown = JSON.parse(text);
    const parseMs = fastest(() => JSON.parse(text));
    const scanMs = fastest(() => scanBody(body));
    expect(scanBody(body)).toEqual([]);
    // Measured ~40 ms against ~15 ms for JSON.parse on an idle machine; the bound allows for a busy one.
    expect(scanMs).toBeLessThan(Math.max(10 * parseMs, 250));
  });
});
