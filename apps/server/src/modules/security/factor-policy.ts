import type { TransferLimit } from '@qianbao/ledger';
import { shanghaiDate } from '../../platform/calendar.ts';

/** What a payment must be confirmed with. `none`: a password-free small payment. */
export type ConfirmationFactor = 'none' | 'pin' | 'passkey' | 'totp';

/** How a payment's confirmation requirement was reached. */
export type FactorReason =
  /** Password-free: within the holder's per-payment limit (and the day's total, see ledgerLimits). */
  | 'passwordFree'
  /** The ordinary case: the transaction PIN (or a passkey, which is stronger). */
  | 'standard'
  /** The risk engine asked for more than the PIN. */
  | 'stepUp'
  /** The risk engine asked for more than the PIN, but the holder has neither passkey nor TOTP. */
  | 'stepUpUnavailable';

export interface FactorDecision {
  /** The factor to ask for first (the strongest the holder has, on step-up). */
  factor: ConfirmationFactor;
  /** Every factor `verifyConfirmation` accepts for this payment; `factor` is one of them. */
  accepted: ConfirmationFactor[];
  reason: FactorReason;
  /**
   * Attach these to the ledger transfer (`TransferInput.limits`) so the daily total is counted
   * atomically with the money movement. Non-empty only for password-free payments. A transfer
   * refused with `limitExceeded` on one of them has spent the day's password-free allowance:
   * ask again with `allowPasswordFree: false`.
   */
  ledgerLimits: TransferLimit[];
}

export interface HolderFactors {
  pinSet: boolean;
  passkeyCount: number;
  totpEnabled: boolean;
  /** The holder's password-free limit per payment, CNY fen; 0 = password-free off. */
  passwordFreeLimitMinor: bigint;
}

export interface PasswordFreePolicy {
  /** Password-free payments exist only in this currency (limits are set in it). */
  currency: string;
  /** Domain rules §1: payments confirmed with fewer than two factors, at most this per day. */
  dailyMaxMinor: bigint;
}

/** The ledger limit key of a holder's password-free total on one Shanghai calendar day. */
export function passwordFreeLimitKey(userId: string, at: Date): string {
  return `pwfree:day:${userId}:${shanghaiDate(at)}`;
}

/** The decision of `SecurityService.requiredFactor`, from the holder's settings alone. */
export function decideFactor(input: {
  userId: string;
  holder: HolderFactors;
  amountMinor: bigint;
  currency: string;
  riskStepUp: boolean;
  allowPasswordFree: boolean;
  policy: PasswordFreePolicy;
  now: Date;
}): FactorDecision {
  const { holder } = input;
  const strong: ConfirmationFactor[] = [
    ...(holder.passkeyCount > 0 ? (['passkey'] as const) : []),
    ...(holder.totpEnabled ? (['totp'] as const) : []),
  ];
  if (input.riskStepUp) {
    if (strong.length > 0)
      return { factor: strong[0]!, accepted: strong, reason: 'stepUp', ledgerLimits: [] };
    return { factor: 'pin', accepted: ['pin'], reason: 'stepUpUnavailable', ledgerLimits: [] };
  }
  const withPin: ConfirmationFactor[] = ['pin', ...(holder.passkeyCount > 0 ? (['passkey'] as const) : [])];
  if (
    input.allowPasswordFree &&
    input.currency === input.policy.currency &&
    holder.passwordFreeLimitMinor > 0n &&
    input.amountMinor > 0n &&
    input.amountMinor <= holder.passwordFreeLimitMinor
  ) {
    return {
      factor: 'none',
      accepted: ['none', ...withPin],
      reason: 'passwordFree',
      ledgerLimits: [{ key: passwordFreeLimitKey(input.userId, input.now), max: input.policy.dailyMaxMinor }],
    };
  }
  return { factor: 'pin', accepted: withPin, reason: 'standard', ledgerLimits: [] };
}
