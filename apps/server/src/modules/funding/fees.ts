/**
 * Withdrawal fees (configuration, docs/cards-and-funding.md): the first `freeMonthlyMinor` of a
 * holder's withdrawals in a calendar month (Asia/Shanghai) are free; beyond that, `basisPoints`
 * of the part over the allowance, rounded half up to the fen, at least `minimumMinor`.
 */
export interface WithdrawalFeePolicy {
  freeMonthlyMinor: bigint;
  basisPoints: number;
  minimumMinor: bigint;
}

export interface WithdrawalFee {
  feeMinor: bigint;
  /** Of this withdrawal, the part that was free. */
  freeMinor: bigint;
  /** What stays free this month after this withdrawal. */
  freeRemainingAfterMinor: bigint;
}

export function withdrawalFee(input: {
  amountMinor: bigint;
  /** Withdrawn earlier this month (not failed). */
  withdrawnThisMonthMinor: bigint;
  policy: WithdrawalFeePolicy;
}): WithdrawalFee {
  const { amountMinor, policy } = input;
  const freeLeft = maxOf(0n, policy.freeMonthlyMinor - input.withdrawnThisMonthMinor);
  const freeMinor = amountMinor < freeLeft ? amountMinor : freeLeft;
  const chargeable = amountMinor - freeMinor;
  let feeMinor = 0n;
  if (chargeable > 0n) {
    const proportional = (chargeable * BigInt(policy.basisPoints) + 5_000n) / 10_000n; // half up
    feeMinor = maxOf(proportional, policy.minimumMinor);
  }
  return { feeMinor, freeMinor, freeRemainingAfterMinor: freeLeft - freeMinor };
}

/**
 * Transfers to a bank account (configuration, docs/bank-transfers.md): `basisPoints` of the
 * amount, rounded half up to the fen, at least `minimumMinor` and at most `maximumMinor`. No
 * monthly allowance: the money leaves the holder's own circle.
 */
export interface BankTransferFeePolicy {
  basisPoints: number;
  minimumMinor: bigint;
  maximumMinor: bigint;
}

export function bankTransferFee(input: { amountMinor: bigint; policy: BankTransferFeePolicy }): bigint {
  const { amountMinor, policy } = input;
  const proportional = (amountMinor * BigInt(policy.basisPoints) + 5_000n) / 10_000n; // half up
  const atLeast = maxOf(proportional, policy.minimumMinor);
  return atLeast < policy.maximumMinor ? atLeast : policy.maximumMinor;
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
