import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFeePolicy, paymentFee, rateOf, refundedFee } from './fees.ts';

describe('merchant fees', () => {
  it('takes the rate half up to the fen', () => {
    expect(paymentFee(100_00n, 38)).toBe(38n);
    expect(paymentFee(1_00n, 38)).toBe(0n);
    expect(paymentFee(1_32n, 38)).toBe(1n); // 0.5016 fen
    expect(paymentFee(1_31n, 38)).toBe(0n); // 0.4978 fen
    expect(paymentFee(12_345_67n, 60)).toBe(7_407n); // 7,407.402 fen
    expect(() => paymentFee(0n, 38)).toThrow(RangeError);
  });

  it('returns exactly the fee over any sequence of partial refunds, never more than a share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10_000_000_00n }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.bigInt({ min: 1n, max: 10_000_000_00n }), { minLength: 1, maxLength: 20 }),
        (amountMinor, bp, parts) => {
          const feeMinor = paymentFee(amountMinor, bp);
          let refunded = 0n;
          let returned = 0n;
          for (const part of parts) {
            const refundMinor = part > amountMinor - refunded ? amountMinor - refunded : part;
            if (refundMinor === 0n) break;
            const back = refundedFee({ amountMinor, feeMinor, refundedBeforeMinor: refunded, refundMinor });
            expect(back).toBeGreaterThanOrEqual(0n);
            // A part returns at most its share rounded up to the fen.
            expect(back * amountMinor).toBeLessThanOrEqual(feeMinor * refundMinor + amountMinor);
            refunded += refundMinor;
            returned += back;
          }
          if (refunded < amountMinor) {
            returned += refundedFee({
              amountMinor,
              feeMinor,
              refundedBeforeMinor: refunded,
              refundMinor: amountMinor - refunded,
            });
          }
          expect(returned).toBe(feeMinor);
        },
      ),
    );
  });

  it('refuses refunds past the amount paid', () => {
    expect(() =>
      refundedFee({ amountMinor: 100n, feeMinor: 1n, refundedBeforeMinor: 60n, refundMinor: 41n }),
    ).toThrow(RangeError);
  });

  it('reads the rates per category from the setting', () => {
    const policy = parseFeePolicy('5812:60, 5411:30,default:25');
    expect(rateOf(policy, '5812')).toBe(60);
    expect(rateOf(policy, '7011')).toBe(25);
    expect(() => parseFeePolicy('58:60')).toThrow(/MCC/);
  });
});
