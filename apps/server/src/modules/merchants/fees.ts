/**
 * The merchant discount rate (MDR, 商户手续费): what the operator keeps of each payment to a
 * merchant, and what a refund gives back. Pure; the rates are configuration (module.ts).
 *
 * - The fee of a payment is its amount × the rate of the merchant's category (basis points,
 *   e.g. 38 = 0.38 %), rounded half up to the fen: ¥100.00 at 0.38 % is ¥0.38; ¥1.00 is ¥0.00
 *   (0.38 fen rounds down); ¥1.32 is ¥0.01 (0.5016 fen rounds up).
 * - A refund returns the fee pro rata, counted on the running total: after refunds totalling R
 *   of a payment A with fee F, the fee returned so far is ⌊F × R / A⌋. Each refund returns the
 *   difference, so however a payment is refunded in parts, a full refund returns exactly F and no
 *   part ever returns more than its share.
 */

export interface FeePolicy {
  /** Basis points by MCC (merchant category code, 4 digits). */
  byCategory: Readonly<Record<string, number>>;
  /** Basis points for any other category. */
  defaultBp: number;
}

/** 0.38 %, the common rate of face-to-face QR payments in China. */
export const DEFAULT_FEE_POLICY: FeePolicy = { byCategory: {}, defaultBp: 38 };

export function rateOf(policy: FeePolicy, mcc: string): number {
  return policy.byCategory[mcc] ?? policy.defaultBp;
}

/** The fee of a payment of `amountMinor` at `bp` basis points, half up to the minor unit. */
export function paymentFee(amountMinor: bigint, bp: number): bigint {
  if (amountMinor <= 0n) throw new RangeError('a payment is more than zero');
  if (!Number.isInteger(bp) || bp < 0 || bp > 10_000) throw new RangeError(`rate ${bp} bp is not 0–10000`);
  return (amountMinor * BigInt(bp) * 2n + 10_000n) / 20_000n;
}

/**
 * The fee a refund returns: of a payment of `amountMinor` with fee `feeMinor`, refunded
 * `refundedBeforeMinor` already, now `refundMinor` more (the total never above the amount).
 */
export function refundedFee(input: {
  amountMinor: bigint;
  feeMinor: bigint;
  refundedBeforeMinor: bigint;
  refundMinor: bigint;
}): bigint {
  const { amountMinor, feeMinor, refundedBeforeMinor, refundMinor } = input;
  const after = refundedBeforeMinor + refundMinor;
  if (refundMinor <= 0n || refundedBeforeMinor < 0n || after > amountMinor) {
    throw new RangeError('a refund is more than zero and the refunds at most the amount paid');
  }
  return (feeMinor * after) / amountMinor - (feeMinor * refundedBeforeMinor) / amountMinor;
}

/** `5812:60,5411:30,default:38` → a policy (the MERCHANT_FEE_RATES setting). */
export function parseFeePolicy(text: string): FeePolicy {
  const byCategory: Record<string, number> = {};
  let defaultBp = DEFAULT_FEE_POLICY.defaultBp;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^(\d{4}|default):(\d{1,5})$/.exec(part);
    const bp = match ? Number(match[2]) : NaN;
    if (!match || bp > 10_000) throw new Error(`"${part}" is not <MCC or default>:<basis points 0–10000>`);
    if (match[1] === 'default') defaultBp = bp;
    else byCategory[match[1]!] = bp;
  }
  return { byCategory, defaultBp };
}
