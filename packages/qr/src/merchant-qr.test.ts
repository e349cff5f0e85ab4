import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16 } from './crc.ts';
import { QrError, type QrErrorCode } from './errors.ts';
import { encodeMerchantQr, type MerchantQr, type MerchantQrData, parseMerchantQr } from './merchant-qr.ts';
import { encodeTlv, type TlvField } from './tlv.ts';

/** Copied exactly from the domain rules (domain-rules.md §3): it must parse and verify (CRC A13A). */
const SAMPLE =
  '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A';

/** A body (without 63) made into a whole code with a correct CRC. */
function withCrc(body: string): string {
  return `${body}6304${crc16(`${body}6304`)}`;
}

/** The minimum a code must carry, without 63. */
const MINIMAL = '0002015204411153031565802CN5914BEST TRANSPORT6007BEIJING';

function refusal(run: () => unknown): QrError {
  try {
    run();
  } catch (error) {
    if (error instanceof QrError) return error;
    throw error;
  }
  throw new Error('expected a QrError');
}

function expectRefused(run: () => unknown, code: QrErrorCode, message?: RegExp): void {
  const error = refusal(run);
  expect(error.code).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
}

function content(qr: MerchantQr): MerchantQrData {
  const { fields: _fields, crc: _crc, ...data } = qr;
  return data;
}

describe('parseMerchantQr: the domain-rules sample', () => {
  const qr = parseMerchantQr(SAMPLE);

  it('verifies its CRC', () => {
    expect(qr.crc).toBe('A13A');
  });

  it('reads the fields a payment needs', () => {
    expect(qr).toMatchObject({
      initiation: 'dynamic',
      mcc: '4111',
      currency: '156',
      amount: '23.72',
      tipIndicator: '01',
      country: 'CN',
      merchantName: 'BEST TRANSPORT',
      merchantCity: 'BEIJING',
      alternateLanguage: { language: 'ZH', merchantName: '最佳运输', merchantCity: '北京' },
    });
    expect(qr.postalCode).toBeUndefined();
  });

  it('reads the merchant account templates with their GUIDs', () => {
    expect(qr.merchantAccounts).toEqual([
      {
        id: '29',
        guid: 'D15600000000',
        fields: [
          { id: '00', value: 'D15600000000' },
          { id: '05', value: 'A93FO3230Q' },
        ],
      },
      {
        id: '31',
        guid: 'D15600000001',
        fields: [
          { id: '00', value: 'D15600000001' },
          { id: '03', value: '12345678' },
        ],
      },
    ]);
  });

  it('reads the additional data template, with the terminal label named', () => {
    expect(qr.additionalData).toEqual({
      fields: [
        { id: '03', value: '1234' },
        { id: '06', value: '***' },
        { id: '07', value: 'A6008667' },
        { id: '09', value: 'ME' },
      ],
      terminalLabel: 'A6008667',
    });
  });

  it('keeps what it has no name for, and every top-level field in wire order', () => {
    expect(qr.unreservedTemplates).toEqual([
      {
        id: '91',
        fields: [
          { id: '00', value: 'A011223344998877' },
          { id: '07', value: '12345678' },
        ],
      },
    ]);
    expect(qr.otherFields).toEqual([]);
    expect(qr.fields.map((field) => field.id)).toEqual([
      '00', '01', '29', '31', '52', '58', '59', '60', '64', '54', '53', '55', '62', '91', '63',
    ]); // prettier-ignore
  });

  it('re-encodes in canonical order to a code with the same content', () => {
    const encoded = encodeMerchantQr(qr);
    expect(encoded).not.toBe(SAMPLE); // the sample puts 64 before 54; we write ascending
    expect(content(parseMerchantQr(encoded))).toEqual(content(qr));
    expect(encoded).toMatch(/^000201010212.*520441115303156540523\.72.*6304[0-9A-F]{4}$/);
  });
});

describe('parseMerchantQr refuses', () => {
  it('a one-character change (CRC_MISMATCH)', () => {
    expectRefused(
      () => parseMerchantQr(SAMPLE.replace('BEST TRANSPORT', 'BEST TRANSPORX')),
      'CRC_MISMATCH',
      /tag 63 says CRC A13A/,
    );
    expectRefused(() => parseMerchantQr(SAMPLE.replace('23.72', '28.72')), 'CRC_MISMATCH');
    expectRefused(() => parseMerchantQr(SAMPLE.replace('最佳运输', '最佳运物')), 'CRC_MISMATCH');
    expectRefused(() => parseMerchantQr(SAMPLE.replace(/A13A$/, 'A13B')), 'CRC_MISMATCH');
  });

  it('any one printable-ASCII character changed anywhere', () => {
    const asciiPositions = [...SAMPLE].flatMap((char, index) => (char.charCodeAt(0) < 0x80 ? [index] : []));
    fc.assert(
      fc.property(
        fc.constantFrom(...asciiPositions),
        fc.integer({ min: 0x20, max: 0x7e }),
        (index, replacement) => {
          const chars = [...SAMPLE];
          fc.pre(chars[index] !== String.fromCharCode(replacement));
          chars[index] = String.fromCharCode(replacement);
          expect(() => parseMerchantQr(chars.join(''))).toThrow(QrError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('every truncation of the sample', () => {
    const chars = [...SAMPLE];
    for (let length = 0; length < chars.length; length += 1) {
      expect(() => parseMerchantQr(chars.slice(0, length).join(''))).toThrow(QrError);
    }
  });

  it('wrong lengths (MALFORMED)', () => {
    expectRefused(() => parseMerchantQr(SAMPLE.replace('5914BEST', '5915BEST')), 'MALFORMED');
    expectRefused(() => parseMerchantQr(SAMPLE.replace('5914BEST', '5913BEST')), 'MALFORMED');
    // Tag 64's lengths counted in UTF-8 bytes, as a careless encoder would: refused, not misread.
    expectRefused(
      () => parseMerchantQr(withCrc(`${MINIMAL}64140002ZH0112最佳运输`)),
      'MALFORMED',
      /tag 64\.01/,
    );
    expectRefused(() => parseMerchantQr(withCrc(`${MINIMAL}6220`)), 'MALFORMED', /tag 62/);
  });

  it('00 missing, late or not "01"', () => {
    expectRefused(() => parseMerchantQr(''), 'MISSING_FIELD', /tag 00/);
    expectRefused(() => parseMerchantQr(withCrc(MINIMAL.slice(6))), 'MISSING_FIELD', /tag 00/);
    expectRefused(
      () => parseMerchantQr(withCrc(`010211${MINIMAL}`)),
      'MALFORMED',
      /tag 00 .*must come first/,
    );
    expectRefused(() => parseMerchantQr(withCrc(`000202${MINIMAL.slice(6)}`)), 'INVALID_FIELD', /tag 00/);
  });

  it('63 missing, early or not hex', () => {
    expectRefused(() => parseMerchantQr(MINIMAL), 'MISSING_FIELD', /tag 63/);
    const early = `${MINIMAL.slice(0, 6)}6304ABCD${MINIMAL.slice(6)}`;
    expectRefused(() => parseMerchantQr(early), 'MALFORMED', /tag 63 .*must come last/);
    expectRefused(() => parseMerchantQr(SAMPLE.replace(/A13A$/, 'a13a')), 'INVALID_FIELD', /upper-case hex/);
    expectRefused(() => parseMerchantQr(`${MINIMAL}6304ZZZZ`), 'INVALID_FIELD', /tag 63/);
  });

  it.each([
    ['52', 'merchant category code'],
    ['53', 'currency'],
    ['58', 'country'],
    ['59', 'merchant name'],
    ['60', 'merchant city'],
  ])('a code without tag %s (%s): MISSING_FIELD', (tag) => {
    const fields = [...parseMerchantQr(withCrc(MINIMAL)).fields].filter((f) => f.id !== tag && f.id !== '63');
    const error = refusal(() => parseMerchantQr(withCrc(encodeTlv(fields))));
    expect(error.code).toBe('MISSING_FIELD');
    expect(error.tag).toBe(tag);
    expect(error.message).toContain(`tag ${tag}`);
  });

  it.each([
    ['010213', '01'],
    ['5203411', '52'],
    ['5303CNY', '53'],
    ['540523,72', '54'],
    ['54040.00', '54'],
    ['5414123456789012.5', '54'],
    ['54041.2.', '54'],
    ['5802cn', '58'],
    ['6111ABCDEFGHIJK', '61'],
    ['62300526ABCDEFGHIJKLMNOPQRSTUVWXYZ', '62.05'],
    ['64060002ZH', '64.01'],
    ['64080104最佳运输', '64.00'],
    ['29090105ABCDE', '29.00'],
  ])('field %j (tag %s)', (field, tag) => {
    // The field replaces the minimal code's own copy of its tag, or joins it.
    const minimal = parseMerchantQr(withCrc(MINIMAL)).fields.filter((f) => f.id !== '63');
    const others = minimal.filter((f) => f.id !== field.slice(0, 2));
    const code = withCrc(`${encodeTlv(others)}${field}`);
    const error = refusal(() => parseMerchantQr(code));
    expect(['INVALID_FIELD', 'MISSING_FIELD']).toContain(error.code);
    expect(error.tag).toBe(tag);
  });

  it("more than 512 characters, EMVCo's ceiling", () => {
    expectRefused(() => parseMerchantQr(`${SAMPLE}${'x'.repeat(400)}`), 'MALFORMED', /at most 512/);
    expectRefused(() => parseMerchantQr('0'.repeat(1_000_000)), 'MALFORMED', /at most 512/);
  });

  it('a merchant name longer than EMVCo allows (25 characters)', () => {
    const code = withCrc(MINIMAL.replace('5914BEST TRANSPORT', `5926${'X'.repeat(26)}`));
    expectRefused(() => parseMerchantQr(code), 'INVALID_FIELD', /tag 59 .*26 characters; at most 25/);
  });
});

describe('parseMerchantQr accepts', () => {
  it('the minimum: 00, 52, 53, 58, 59, 60 and 63', () => {
    expect(content(parseMerchantQr(withCrc(MINIMAL)))).toEqual({
      merchantAccounts: [],
      mcc: '4111',
      currency: '156',
      country: 'CN',
      merchantName: 'BEST TRANSPORT',
      merchantCity: 'BEIJING',
      unreservedTemplates: [],
      otherFields: [],
    });
  });

  it.each(['98', '98.', '98.73', '0.01', '1234567890.12'])('amount %j', (amount) => {
    const code = withCrc(`${MINIMAL}54${String(amount.length).padStart(2, '0')}${amount}`);
    expect(parseMerchantQr(code).amount).toBe(amount);
  });

  it('primitive tags it has no name for, in otherFields', () => {
    const code = withCrc(`000201020841111111${MINIMAL.slice(6)}7003abc`);
    expect(parseMerchantQr(code).otherFields).toEqual([
      { id: '02', value: '41111111' },
      { id: '70', value: 'abc' },
    ]);
  });
});

describe('encodeMerchantQr', () => {
  it('writes an order QR: dynamic, amount, our order id as the reference label', () => {
    const code = encodeMerchantQr({
      initiation: 'dynamic',
      merchantAccounts: [{ id: '26', guid: 'com.qianbao', fields: [{ id: '01', value: 'M0001' }] }],
      mcc: '5812',
      currency: '156',
      amount: '88.00',
      country: 'CN',
      merchantName: 'NOODLE HOUSE',
      merchantCity: 'SHANGHAI',
      additionalData: { referenceLabel: 'ORD20250101' },
      alternateLanguage: { language: 'ZH', merchantName: '面馆', merchantCity: '上海' },
    });
    const body =
      '000201010212' +
      '26240011com.qianbao0105M0001' +
      '52045812530315654058' +
      '8.005802CN5912NOODLE HOUSE6008SHANGHAI' +
      '62150511ORD20250101' +
      '64180002ZH0102面馆0202上海' +
      '6304';
    expect(code).toBe(`${body}${crc16(body)}`);
    expect(parseMerchantQr(code).additionalData?.referenceLabel).toBe('ORD20250101');
  });

  it('refuses a named value that disagrees with the same sub-field in fields', () => {
    expectRefused(
      () =>
        encodeMerchantQr({
          ...minimal(),
          additionalData: { referenceLabel: 'A', fields: [{ id: '05', value: 'B' }] },
        }),
      'INVALID_FIELD',
      /referenceLabel "A" disagrees with tag 62\.05 "B"/,
    );
  });

  it('refuses what the parser would refuse', () => {
    expectRefused(
      () => encodeMerchantQr({ ...minimal(), merchantName: 'X'.repeat(26) }),
      'INVALID_FIELD',
      /tag 59/,
    );
    expectRefused(() => encodeMerchantQr({ ...minimal(), amount: '0' }), 'INVALID_FIELD', /tag 54/);
    expectRefused(() => encodeMerchantQr({ ...minimal(), mcc: '41' }), 'INVALID_FIELD', /tag 52/);
    // A UUID is 36 characters: too long for a reference label (25).
    const uuid = '0193f7a2-1c2d-7e3f-8a4b-5c6d7e8f9a0b';
    expectRefused(
      () => encodeMerchantQr({ ...minimal(), additionalData: { referenceLabel: uuid } }),
      'INVALID_FIELD',
      /tag 62\.05/,
    );
    expectRefused(() => encodeMerchantQr({ ...minimal(), additionalData: {} }), 'INVALID_FIELD', /tag 62/);
    expectRefused(
      () => encodeMerchantQr({ ...minimal(), merchantAccounts: [{ id: '52', guid: 'x' }] }),
      'INVALID_FIELD',
      /26–51/,
    );
    expectRefused(
      () => encodeMerchantQr({ ...minimal(), otherFields: [{ id: '59', value: 'x' }] }),
      'INVALID_FIELD',
      /otherFields holds tag 59/,
    );
    expectRefused(
      () => encodeMerchantQr({ ...minimal(), otherFields: [{ id: '85', value: 'x' }] }),
      'INVALID_FIELD',
      /otherFields holds tag 85/,
    );
    expectRefused(
      () => encodeMerchantQr({ ...minimal(), merchantAccounts: [{ id: '26', guid: 'G'.repeat(96) }] }),
      'INVALID_FIELD',
      /tag 26 is 100 characters/,
    );
    const templates = ['80', '81', '82', '83', '84', '85'].map((id) => ({
      id,
      fields: [{ id: '00', value: 'x'.repeat(95) }],
    }));
    expectRefused(
      () => encodeMerchantQr({ ...minimal(), unreservedTemplates: templates }),
      'INVALID_FIELD',
      /512/,
    );
    expectRefused(
      () => encodeMerchantQr({ ...minimal(), merchantName: undefined as unknown as string }),
      'MISSING_FIELD',
      /tag 59/,
    );
  });

  it('round-trips: parse(encode(x)) equals x for any valid x in canonical (sorted) form', () => {
    fc.assert(
      fc.property(merchantQrData(), (data) => {
        const encoded = encodeWithin512(data);
        const parsed = parseMerchantQr(encoded);
        expect(content(parsed)).toEqual(data);
        expect(encodeMerchantQr(parsed)).toBe(encoded);
      }),
      { numRuns: 300 },
    );
  });

  it('writes codes that any one-ASCII-character change breaks', () => {
    fc.assert(
      fc.property(
        merchantQrData(),
        fc.nat(),
        fc.integer({ min: 0x20, max: 0x7e }),
        (data, at, replacement) => {
          const chars = [...encodeWithin512(data)];
          const ascii = chars.flatMap((char, index) => (char.charCodeAt(0) < 0x80 ? [index] : []));
          const index = ascii[at % ascii.length] ?? 0;
          fc.pre(chars[index] !== String.fromCharCode(replacement));
          chars[index] = String.fromCharCode(replacement);
          expect(() => parseMerchantQr(chars.join(''))).toThrow(QrError);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** The generators can draw more than EMVCo's 512 characters in all; such draws are skipped. */
function encodeWithin512(data: MerchantQrData): string {
  try {
    return encodeMerchantQr(data);
  } catch (error) {
    fc.pre(!(error instanceof QrError && /512/.test(error.message)));
    throw error;
  }
}

function minimal() {
  return {
    mcc: '4111',
    currency: '156',
    country: 'CN',
    merchantName: 'BEST TRANSPORT',
    merchantCity: 'BEIJING',
  };
}

// ---- generators of valid content, already in the canonical form encode writes ----

const ascii = (minLength: number, maxLength: number) =>
  fc.string({ unit: 'grapheme-ascii', minLength, maxLength }).filter((text) => /^[\x20-\x7e]+$/.test(text));

/** Chinese, with now and then a character outside the BMP (two UTF-16 units, one character). */
const chinese = (minLength: number, maxLength: number) =>
  fc
    .array(
      fc.oneof(
        { weight: 9, arbitrary: fc.integer({ min: 0x4e00, max: 0x9fff }) },
        { weight: 1, arbitrary: fc.integer({ min: 0x20000, max: 0x2a6df }) },
      ),
      { minLength, maxLength },
    )
    .map((codes) => String.fromCodePoint(...codes));

const tag = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));

function sorted(fields: TlvField[]): TlvField[] {
  return [...fields].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Sub-fields with distinct IDs drawn from `ids`, none of `except`. */
function subFields(
  ids: fc.Arbitrary<string>,
  except: readonly string[],
  maxLength: number,
  maxValue: number,
) {
  return fc
    .uniqueArray(fc.record({ id: ids.filter((id) => !except.includes(id)), value: ascii(1, maxValue) }), {
      selector: (field) => field.id,
      maxLength,
    })
    .map(sorted);
}

function merchantQrData(): fc.Arbitrary<MerchantQrData> {
  const merchantAccounts = fc
    .uniqueArray(
      fc.record({ id: tag(26, 51), guid: ascii(1, 20), extra: subFields(tag(1, 99), [], 2, 15) }),
      { selector: (account) => account.id, maxLength: 3 },
    )
    .map((accounts) =>
      [...accounts]
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .map(({ id, guid, extra }) => ({ id, guid, fields: [{ id: '00', value: guid }, ...extra] })),
    );
  const referenceLabel = fc.oneof(ascii(1, 25), fc.stringMatching(/^[A-Z0-9]{1,25}$/));
  const additionalData = fc
    .record(
      {
        billNumber: ascii(1, 25),
        referenceLabel,
        terminalLabel: ascii(1, 25),
        extra: subFields(tag(2, 99), ['05', '07'], 1, 8),
      },
      { requiredKeys: ['referenceLabel', 'extra'] },
    )
    .map(({ extra, ...named }) => {
      const fields = sorted([
        ...extra,
        ...(named.billNumber === undefined ? [] : [{ id: '01', value: named.billNumber }]),
        { id: '05', value: named.referenceLabel },
        ...(named.terminalLabel === undefined ? [] : [{ id: '07', value: named.terminalLabel }]),
      ]);
      return { ...named, fields };
    });
  const alternateLanguage = fc
    .record(
      {
        language: fc.stringMatching(/^[A-Za-z]{2}$/),
        merchantName: chinese(1, 25),
        merchantCity: chinese(1, 15),
        extra: subFields(tag(3, 99), [], 1, 10),
      },
      { requiredKeys: ['language', 'merchantName', 'extra'] },
    )
    .map(({ extra, ...named }) => ({
      ...named,
      fields: sorted([
        { id: '00', value: named.language },
        { id: '01', value: named.merchantName },
        ...(named.merchantCity === undefined ? [] : [{ id: '02', value: named.merchantCity }]),
        ...extra,
      ]),
    }));
  const unreservedTemplates = fc
    .uniqueArray(fc.record({ id: tag(80, 99), fields: subFields(tag(0, 99), [], 3, 15) }), {
      selector: (template) => template.id,
      maxLength: 2,
    })
    .map((templates) => templates.filter((t) => t.fields.length > 0).sort((a, b) => (a.id < b.id ? -1 : 1)));
  const otherFields = fc
    .uniqueArray(fc.record({ id: fc.oneof(tag(2, 25), tag(65, 79)), value: ascii(1, 20) }), {
      selector: (field) => field.id,
      maxLength: 3,
    })
    .map(sorted);
  const amount = fc.stringMatching(/^[0-9]{1,10}(\.[0-9]{0,2})?$/).filter((text) => /[1-9]/.test(text));

  return fc
    .record(
      {
        initiation: fc.constantFrom('static' as const, 'dynamic' as const),
        merchantAccounts,
        mcc: fc.stringMatching(/^[0-9]{4}$/),
        currency: fc.stringMatching(/^[0-9]{3}$/),
        amount,
        tipIndicator: fc.constantFrom('01', '02', '03'),
        country: fc.stringMatching(/^[A-Z]{2}$/),
        merchantName: ascii(1, 25),
        merchantCity: ascii(1, 15),
        postalCode: ascii(1, 10),
        additionalData,
        alternateLanguage,
        unreservedTemplates,
        otherFields,
      },
      {
        requiredKeys: [
          'merchantAccounts',
          'mcc',
          'currency',
          'country',
          'merchantName',
          'merchantCity',
          'unreservedTemplates',
          'otherFields',
        ],
      },
    )
    .map((data) => data as MerchantQrData);
}
