import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QrError } from './errors.ts';
import { codePointLength, encodeTlv, isTemplateTag, parseTlv, type TlvField } from './tlv.ts';

function refusal(run: () => unknown): QrError {
  try {
    run();
  } catch (error) {
    if (error instanceof QrError) return error;
    throw error;
  }
  throw new Error('expected a QrError');
}

describe('parseTlv', () => {
  it('splits data objects in order', () => {
    expect(parseTlv('000201010212')).toEqual([
      { id: '00', value: '01' },
      { id: '01', value: '12' },
    ]);
  });

  it('counts lengths in characters (code points), not bytes or UTF-16 units', () => {
    expect(parseTlv('0002ZH0104最佳运输0202北京')).toEqual([
      { id: '00', value: 'ZH' },
      { id: '01', value: '最佳运输' },
      { id: '02', value: '北京' },
    ]);
    // U+20000 is two UTF-16 units and four UTF-8 bytes, and one character.
    expect(parseTlv('0102𠀀a')).toEqual([{ id: '01', value: '𠀀a' }]);
  });

  it('reads nothing from nothing', () => {
    expect(parseTlv('')).toEqual([]);
  });

  it.each([
    ['00', /shorter than an ID and a length/],
    ['000', /shorter than an ID and a length/],
    ['0002ZH01', /shorter than an ID and a length/],
    ['0005ABCD', /tag 00 declares 5 characters but only 4 remain/],
    ['0112最佳运输', /tag 01 declares 12 characters but only 4 remain/], // a length counted in bytes
    ['0A02ZH', /two-digit ID/],
    ['00X2ZH', /tag 00 has length "X2"/],
    ['0000', /length 00/],
    ['0002ZH0002EN', /tag 00 appears twice/],
  ])('refuses %j as MALFORMED', (text, message) => {
    const error = refusal(() => parseTlv(text));
    expect(error.code).toBe('MALFORMED');
    expect(error.message).toMatch(message);
  });

  it('names the enclosing template in errors', () => {
    const error = refusal(() => parseTlv('0510ABC', '62'));
    expect(error.message).toMatch(/tag 62\.05/);
    expect(error.tag).toBe('62.05');
  });
});

describe('encodeTlv', () => {
  it('writes lengths as two digits of characters', () => {
    expect(
      encodeTlv([
        { id: '00', value: 'ZH' },
        { id: '01', value: '最佳运输' },
      ]),
    ).toBe('0002ZH0104最佳运输');
  });

  it.each([
    [[{ id: '5', value: 'x' }], /not two digits/],
    [[{ id: '05', value: '' }], /0 characters long/],
    [[{ id: '05', value: 'x'.repeat(100) }], /100 characters long/],
    [
      [
        { id: '05', value: 'a' },
        { id: '05', value: 'b' },
      ],
      /given twice/,
    ],
  ])('refuses %j as INVALID_FIELD', (fields, message) => {
    const error = refusal(() => encodeTlv(fields));
    expect(error.code).toBe('INVALID_FIELD');
    expect(error.message).toMatch(message);
  });

  it('accepts 99 characters, the most two digits can say', () => {
    expect(parseTlv(encodeTlv([{ id: '05', value: '北'.repeat(99) }]))).toEqual([
      { id: '05', value: '北'.repeat(99) },
    ]);
  });

  it('round-trips any list of distinct IDs with 1–99 character values', () => {
    const character = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
      fc.integer({ min: 0x4e00, max: 0x9fff }).map((code) => String.fromCodePoint(code)),
      fc.constant('𠀀'),
    );
    const fields = fc.uniqueArray(
      fc.record({
        id: fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0')),
        value: fc.array(character, { minLength: 1, maxLength: 99 }).map((chars) => chars.join('')),
      }),
      { selector: (field) => field.id, maxLength: 8 },
    );
    fc.assert(
      fc.property(fields, (list: TlvField[]) => {
        expect(parseTlv(encodeTlv(list))).toEqual(list);
      }),
    );
  });
});

describe('isTemplateTag', () => {
  it('knows the templates: 26–51, 62, 64, 80–99', () => {
    const templates = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0')).filter(isTemplateTag);
    expect(templates).toEqual([
      ...Array.from({ length: 26 }, (_, i) => String(26 + i)),
      '62',
      '64',
      ...Array.from({ length: 20 }, (_, i) => String(80 + i)),
    ]);
  });
});

describe('codePointLength', () => {
  it('counts characters', () => {
    expect(codePointLength('最佳运输')).toBe(4);
    expect(codePointLength('𠀀')).toBe(1);
    expect(codePointLength('')).toBe(0);
  });
});
