import { describe, expect, it } from 'vitest';
import { isUscc, usccCheck } from './uscc.ts';

describe('unified social credit code', () => {
  it('accepts published codes and refuses one changed character', () => {
    // Published on business licences (public registers).
    for (const code of ['91350100M000100Y43', '91110000802100433B', '91440300708461136T']) {
      expect(isUscc(code), code).toBe(true);
      expect(isUscc(code.slice(0, 17) + (code.endsWith('0') ? '1' : '0')), code).toBe(false);
    }
  });

  it('refuses the letters the standard leaves out, lower case and other lengths', () => {
    expect(isUscc('91350100M000100Y4')).toBe(false);
    expect(isUscc('91350100m000100y43')).toBe(false);
    expect(isUscc('9135010OM000100Y43')).toBe(false);
    expect(usccCheck('91350100M000100Y4')).toBe('3');
  });
});
