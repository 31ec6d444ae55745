import { describe, expect, it } from 'vitest';
import { escapeLike } from './like.js';

describe('escapeLike', () => {
  it('escapes the LIKE wildcards and the escape character, nothing else', () => {
    expect(escapeLike('battery.cfp')).toBe('battery.cfp');
    expect(escapeLike('100%')).toBe('100\\%');
    expect(escapeLike('a_b')).toBe('a\\_b');
    expect(escapeLike('C:\\data')).toBe('C:\\\\data');
    expect(escapeLike('\\%_')).toBe('\\\\\\%\\_');
  });
});
