import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PaymentCodeError, type PaymentCodeErrorCode } from './errors.ts';
import {
  PAYMENT_CODE_PREFIX,
  parsePaymentCode,
  paymentCodeAt,
  paymentCodeStep,
  verifyPaymentCode,
} from './payment-code.ts';

/** The RFC 4226 test secret (20 bytes, the minimum), and a 32-byte one. */
const RFC_SECRET = new TextEncoder().encode('12345678901234567890');
const SECRET_32 = Uint8Array.from({ length: 32 }, (_, i) => i);
const MINUTE = 60_000;

async function refusal(run: () => unknown): Promise<PaymentCodeError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof PaymentCodeError) return error;
    throw error;
  }
  throw new Error('expected a PaymentCodeError');
}

async function expectRefused(run: () => unknown, code: PaymentCodeErrorCode): Promise<PaymentCodeError> {
  const error = await refusal(run);
  expect(error.code).toBe(code);
  return error;
}

/** The same derivation written independently, with node:crypto and Buffer, to check the Web Crypto one. */
function reference(secret: Uint8Array, deviceIndex: number, step: number): string {
  const message = Buffer.alloc(12);
  message.writeBigUInt64BE(BigInt(step), 0);
  message.writeUInt32BE(deviceIndex, 8);
  const mac = createHmac('sha256', secret).update(message).digest();
  const offset = mac[31]! & 0x0f;
  const otp = (mac.readBigUInt64BE(offset) % 10_000_000_000n).toString().padStart(10, '0');
  return `88${String(deviceIndex).padStart(6, '0')}${otp}`;
}

describe('paymentCodeAt', () => {
  // Computed once and pinned: a change here breaks every phone in the field.
  it.each([
    [RFC_SECRET, 0, 0, '880000003658781464'],
    [RFC_SECRET, 0, 1, '880000006189296889'],
    [RFC_SECRET, 1, 1, '880000010103485410'],
    [RFC_SECRET, 999_999, 1, '889999993392746951'],
    [RFC_SECRET, 0, 2 ** 40, '880000008458121293'],
    [SECRET_32, 123_456, 0, '881234564423247207'],
    [SECRET_32, 123_456, 1, '881234567554723341'],
    [SECRET_32, 123_456, 28_000_000, '881234563144233747'],
  ])('vector %#: device %i, step %i → %s', async (secret, deviceIndex, step, expected) => {
    expect(await paymentCodeAt({ secret, deviceIndex, step })).toBe(expected);
  });

  it('agrees with an independent node:crypto implementation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 20, maxLength: 64 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        async (secret, deviceIndex, step) => {
          expect(await paymentCodeAt({ secret, deviceIndex, step })).toBe(
            reference(secret, deviceIndex, step),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is always 18 digits under our prefix, never a WeChat, Alipay or UnionPay one', async () => {
    const forbidden = ['10', '11', '12', '13', '14', '15', '25', '26', '27', '28', '29', '30', '62'];
    expect(forbidden).not.toContain(PAYMENT_CODE_PREFIX);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 20, maxLength: 32 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.nat(),
        async (secret, deviceIndex, step) => {
          const code = await paymentCodeAt({ secret, deviceIndex, step });
          expect(code).toMatch(/^88[0-9]{16}$/);
          expect(forbidden).not.toContain(code.slice(0, 2));
          expect(parsePaymentCode(code).deviceIndex).toBe(deviceIndex);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses arguments that are bugs (INVALID_ARGUMENT)', async () => {
    const ok = { secret: RFC_SECRET, deviceIndex: 1, step: 1 };
    await expectRefused(() => paymentCodeAt({ ...ok, secret: RFC_SECRET.slice(1) }), 'INVALID_ARGUMENT');
    await expectRefused(() => paymentCodeAt({ ...ok, secret: new Uint8Array(65) }), 'INVALID_ARGUMENT');
    for (const deviceIndex of [-1, 1.5, 1_000_000, Number.NaN]) {
      await expectRefused(() => paymentCodeAt({ ...ok, deviceIndex }), 'INVALID_ARGUMENT');
    }
    for (const step of [-1, 0.5, 2 ** 53])
      await expectRefused(() => paymentCodeAt({ ...ok, step }), 'INVALID_ARGUMENT');
  });
});

describe('paymentCodeStep', () => {
  it('counts whole steps since the epoch', () => {
    expect(paymentCodeStep(0)).toBe(0);
    expect(paymentCodeStep(59_999)).toBe(0);
    expect(paymentCodeStep(60_000)).toBe(1);
    expect(paymentCodeStep(Date.UTC(2025, 0, 1))).toBe(Date.UTC(2025, 0, 1) / MINUTE);
    expect(paymentCodeStep(29_999, 30)).toBe(0);
    expect(paymentCodeStep(30_000, 30)).toBe(1);
  });

  it('refuses a bad clock or step length', async () => {
    for (const [nowMs, stepSeconds] of [
      [-1, 60],
      [Number.NaN, 60],
      [0, 0],
      [0, 1.5],
      [0, 3601],
    ] as const) {
      await expectRefused(() => paymentCodeStep(nowMs, stepSeconds), 'INVALID_ARGUMENT');
    }
  });
});

describe('parsePaymentCode', () => {
  it('splits prefix, device index and one-time value', () => {
    expect(parsePaymentCode('881234564423247207')).toEqual({
      prefix: '88',
      deviceIndex: 123_456,
      otp: '4423247207',
    });
  });

  it.each([
    '',
    '88123456442324720',
    '8812345644232472070',
    '88123456442324720x',
    ' 881234564423247207',
    '８８1234564423247207',
  ])('refuses %j: not 18 digits', async (code) => {
    await expectRefused(() => parsePaymentCode(code), 'PAYMENT_CODE_FORMAT');
  });

  it.each(['10', '13', '15', '25', '28', '30', '62', '87', '89'])(
    'refuses 18 digits under prefix %s as another scheme’s',
    async (prefix) => {
      await expectRefused(() => parsePaymentCode(`${prefix}1234564423247207`), 'FOREIGN_PAYMENT_CODE');
    },
  );

  it('never puts the code in its error message: it is a live credential', async () => {
    const error = await refusal(() => parsePaymentCode('131234564423247207'));
    expect(error.message).not.toContain('4423247207');
  });
});

describe('verifyPaymentCode', () => {
  const deviceIndex = 4_321;
  const secret = SECRET_32;
  const step = paymentCodeStep(Date.UTC(2025, 5, 1, 12, 0, 30));
  const codeAt = (s: number) => paymentCodeAt({ secret, deviceIndex, step: s });

  it('accepts the current step, and one either side for clock skew', async () => {
    const code = await codeAt(step);
    for (const offset of [-1, 0, 1]) {
      const nowMs = (step + offset) * MINUTE + 30_000;
      expect(await verifyPaymentCode({ secret, code, nowMs })).toBe(step);
    }
  });

  it('refuses a code two steps old or two steps ahead', async () => {
    const code = await codeAt(step);
    expect(await verifyPaymentCode({ secret, code, nowMs: (step + 2) * MINUTE })).toBeNull();
    expect(await verifyPaymentCode({ secret, code, nowMs: (step - 2) * MINUTE })).toBeNull();
  });

  it('honours window and stepSeconds', async () => {
    const code = await codeAt(step);
    expect(await verifyPaymentCode({ secret, code, nowMs: (step + 1) * MINUTE, window: 0 })).toBeNull();
    expect(await verifyPaymentCode({ secret, code, nowMs: (step + 2) * MINUTE, window: 2 })).toBe(step);
    const short = await paymentCodeAt({ secret, deviceIndex, step: 1000 });
    expect(await verifyPaymentCode({ secret, code: short, nowMs: 1000 * 30_000, stepSeconds: 30 })).toBe(
      1000,
    );
    // The same moment in 60-second steps is step 500: far from 1000.
    expect(await verifyPaymentCode({ secret, code: short, nowMs: 1000 * 30_000 })).toBeNull();
    await expectRefused(() => verifyPaymentCode({ secret, code, nowMs: 0, window: 6 }), 'INVALID_ARGUMENT');
  });

  it('refuses the code under another device index: the index is inside the HMAC', async () => {
    const code = await codeAt(step);
    const otherIndex = `${code.slice(0, 2)}${String(deviceIndex + 1).padStart(6, '0')}${code.slice(8)}`;
    expect(await verifyPaymentCode({ secret, code: otherIndex, nowMs: step * MINUTE })).toBeNull();
  });

  it('refuses the code under another secret', async () => {
    const code = await codeAt(step);
    const other = Uint8Array.from(secret, (byte, i) => (i === 0 ? byte ^ 1 : byte));
    expect(await verifyPaymentCode({ secret: other, code, nowMs: step * MINUTE })).toBeNull();
  });

  it('refuses any other one-time value', async () => {
    const code = await codeAt(step);
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[0-9]{10}$/), async (otp) => {
        fc.pre(otp !== code.slice(8));
        const guess = `${code.slice(0, 8)}${otp}`;
        expect(await verifyPaymentCode({ secret, code: guess, nowMs: step * MINUTE })).toBeNull();
      }),
      { numRuns: 50 },
    );
  });

  it('throws for what is not one of our codes', async () => {
    await expectRefused(() => verifyPaymentCode({ secret, code: '123', nowMs: 0 }), 'PAYMENT_CODE_FORMAT');
    await expectRefused(
      () => verifyPaymentCode({ secret, code: '281234564423247207', nowMs: 0 }),
      'FOREIGN_PAYMENT_CODE',
    );
  });

  it('does not look before step 0', async () => {
    const code = await codeAt(0);
    expect(await verifyPaymentCode({ secret, code, nowMs: 0 })).toBe(0);
  });
});
