import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16 } from './crc.ts';

describe('crc16 (CRC-16/CCITT-FALSE)', () => {
  it.each([
    ['123456789', '29B1'], // the catalogued check value
    ['', 'FFFF'], // nothing processed: the initial value, no final XOR
    ['A', 'B915'],
  ])('%j → %s', (text, expected) => {
    expect(crc16(text)).toBe(expected);
  });

  it('is taken over UTF-8 bytes, so a Chinese character counts three bytes', () => {
    expect(crc16('北')).toBe(crc16Bytes([0xe5, 0x8c, 0x97]));
  });

  it('agrees with a bit-at-a-time reference on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(crc16(text)).toBe(crc16Bytes([...new TextEncoder().encode(text)]));
      }),
    );
  });

  it('always gives 4 upper-case hex digits', () => {
    for (let i = 0; i < 2000; i += 1) expect(crc16(String(i))).toMatch(/^[0-9A-F]{4}$/);
  });
});

/** A bit-at-a-time reference, independent of the table the implementation uses. */
function crc16Bytes(bytes: readonly number[]): string {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}
