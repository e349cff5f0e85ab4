/**
 * Real-name tiers and their limits (domain-rules §1, modelled on e-CNY wallet classes and PBOC
 * payment-account classes). These are defaults: the live values sit in `kyc_tier_limits`, which
 * operators change; `null` means no limit.
 */
export const TIERS = ['T0', 'T1', 'T2', 'T3'] as const;
export type Tier = (typeof TIERS)[number];

export interface TierLimits {
  tier: Tier;
  balanceCapMinor: bigint | null;
  singlePaymentMinor: bigint | null;
  dailyMinor: bigint | null;
  yearlyMinor: bigint | null;
  /** T0 holders may receive money but not withdraw to a card or send abroad. */
  mayWithdraw: boolean;
  maySendAbroad: boolean;
}

const YUAN = 100n;

export const DEFAULT_TIER_LIMITS: Record<Tier, TierLimits> = {
  T0: {
    tier: 'T0',
    balanceCapMinor: 1_000n * YUAN,
    singlePaymentMinor: 500n * YUAN,
    dailyMinor: 1_000n * YUAN,
    yearlyMinor: 10_000n * YUAN,
    mayWithdraw: false,
    maySendAbroad: false,
  },
  T1: {
    tier: 'T1',
    balanceCapMinor: 10_000n * YUAN,
    singlePaymentMinor: 5_000n * YUAN,
    dailyMinor: 10_000n * YUAN,
    yearlyMinor: 200_000n * YUAN,
    mayWithdraw: true,
    maySendAbroad: true,
  },
  T2: {
    tier: 'T2',
    balanceCapMinor: 500_000n * YUAN,
    singlePaymentMinor: 50_000n * YUAN,
    dailyMinor: 100_000n * YUAN,
    yearlyMinor: 1_000_000n * YUAN,
    mayWithdraw: true,
    maySendAbroad: true,
  },
  T3: {
    tier: 'T3',
    balanceCapMinor: null,
    singlePaymentMinor: 200_000n * YUAN,
    dailyMinor: 500_000n * YUAN,
    yearlyMinor: null,
    mayWithdraw: true,
    maySendAbroad: true,
  },
};

export function tierRank(tier: Tier): number {
  return TIERS.indexOf(tier);
}

/** The higher of two tiers: a tier never drops because a later, weaker proof arrives. */
export function higherTier(a: Tier, b: Tier): Tier {
  return tierRank(a) >= tierRank(b) ? a : b;
}
