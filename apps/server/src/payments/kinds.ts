/**
 * The kinds of payment the pipeline runs, each with what the rules of domain-rules §1 say about
 * it: whether it counts toward the yearly limit (own wallet ↔ own bound card does not), whether it
 * may ever be confirmed password-free, and whether the holder's tier must allow money to leave
 * for a card or a bank (T0 may not). A new money-moving capability adds its kind here.
 */
export type PaymentKind = 'transfer' | 'payment_request' | 'top_up' | 'withdrawal' | 'bank_transfer';

export interface PaymentKindRules {
  countsTowardYear: boolean;
  passwordFree: boolean;
  /** The tier must allow withdrawing (`TierLimits.mayWithdraw`), else KYC_TIER_TOO_LOW. */
  needsWithdrawTier: boolean;
}

export const PAYMENT_KINDS: Record<PaymentKind, PaymentKindRules> = {
  transfer: { countsTowardYear: true, passwordFree: true, needsWithdrawTier: false },
  payment_request: { countsTowardYear: true, passwordFree: true, needsWithdrawTier: false },
  top_up: { countsTowardYear: false, passwordFree: false, needsWithdrawTier: false },
  withdrawal: { countsTowardYear: false, passwordFree: false, needsWithdrawTier: true },
  bank_transfer: { countsTowardYear: true, passwordFree: false, needsWithdrawTier: true },
};
