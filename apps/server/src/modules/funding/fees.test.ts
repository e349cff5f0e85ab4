import { describe, expect, it } from 'vitest';
import { shanghaiMonth } from '../../platform/calendar.ts';
import { bankTransferFee, withdrawalFee } from './fees.ts';

const policy = { freeMonthlyMinor: 100_000n, basisPoints: 10, minimumMinor: 10n };

describe('withdrawal fees', () => {
  it('is free within the monthly allowance, then 0.1% of the excess (half up), at least 0.10', () => {
    expect(withdrawalFee({ amountMinor: 100_000n, withdrawnThisMonthMinor: 0n, policy }).feeMinor).toBe(0n);
    expect(withdrawalFee({ amountMinor: 150_000n, withdrawnThisMonthMinor: 0n, policy })).toEqual({
      feeMinor: 50n,
      freeMinor: 100_000n,
      freeRemainingAfterMinor: 0n,
    });
    expect(withdrawalFee({ amountMinor: 5_000n, withdrawnThisMonthMinor: 100_000n, policy }).feeMinor).toBe(
      10n,
    );
    expect(
      withdrawalFee({ amountMinor: 1_234_500n, withdrawnThisMonthMinor: 200_000n, policy }).feeMinor,
    ).toBe(1235n);
    expect(
      withdrawalFee({ amountMinor: 1_234_499n, withdrawnThisMonthMinor: 200_000n, policy }).feeMinor,
    ).toBe(1234n);
  });

  it('counts calendar months in Asia/Shanghai', () => {
    const month = shanghaiMonth(new Date('2026-01-31T16:30:00Z')); // 2026-02-01 00:30 in Shanghai
    expect(month.from.toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(month.to.toISOString()).toBe('2026-02-28T16:00:00.000Z');
  });
});

describe('bank transfer fees', () => {
  const bankPolicy = { basisPoints: 10, minimumMinor: 10n, maximumMinor: 2500n };
  it('is 0.1% (half up), at least 0.10 and at most 25.00', () => {
    expect(bankTransferFee({ amountMinor: 1n, policy: bankPolicy })).toBe(10n);
    expect(bankTransferFee({ amountMinor: 5_000n, policy: bankPolicy })).toBe(10n);
    expect(bankTransferFee({ amountMinor: 50_000n, policy: bankPolicy })).toBe(50n);
    expect(bankTransferFee({ amountMinor: 123_450n, policy: bankPolicy })).toBe(123n);
    expect(bankTransferFee({ amountMinor: 123_460n, policy: bankPolicy })).toBe(123n);
    expect(bankTransferFee({ amountMinor: 123_500n, policy: bankPolicy })).toBe(124n);
    expect(bankTransferFee({ amountMinor: 2_500_000n, policy: bankPolicy })).toBe(2500n);
    expect(bankTransferFee({ amountMinor: 100_000_000n, policy: bankPolicy })).toBe(2500n);
    expect(
      bankTransferFee({
        amountMinor: 100_000_000n,
        policy: { ...bankPolicy, basisPoints: 0, minimumMinor: 0n },
      }),
    ).toBe(0n);
  });
});
