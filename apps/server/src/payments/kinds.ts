/**
 * The kinds of payment the pipeline runs, each with what the rules of domain-rules §1 say about
 * it: whether it counts toward the yearly limit (own wallet ↔ own bound card does not), whether it
 * may ever be confirmed password-free, and whether the holder's tier must allow money to leave
 * for a card or a bank (T0 may not), and whether a payment the risk engine wants reviewed is held
 * in the ledger until an operator decides (review.ts) or refused (RISK_REVIEW_REQUIRED). A new
 * money-moving capability adds its kind here.
 */
export type PaymentKind =
  | 'transfer'
  | 'payment_request'
  | 'top_up'
  | 'withdrawal'
  | 'bank_transfer'
  | 'merchant_static'
  | 'merchant_order'
  | 'merchant_code'
  | 'red_packet'
  | 'split_share'
  | 'split_refund';

export interface PaymentKindRules {
  countsTowardYear: boolean;
  passwordFree: boolean;
  /** The tier must allow withdrawing (`TierLimits.mayWithdraw`), else KYC_TIER_TOO_LOW. */
  needsWithdrawTier: boolean;
  /**
   * A `review` decision holds the payment for an operator (review.ts) rather than refusing it.
   * Only a kind whose module registers a settler (`HeldPayments`) may say so: a payment request's
   * claim, a card charge or a bank payout cannot wait a day for a person.
   */
  holdsForReview: boolean;
  /** Paid through a merchant's static QR code: at most 500 a day per payer (domain-rules §1). */
  staticMerchantQr?: boolean;
}

export const PAYMENT_KINDS: Record<PaymentKind, PaymentKindRules> = {
  transfer: { countsTowardYear: true, passwordFree: true, needsWithdrawTier: false, holdsForReview: true },
  payment_request: {
    countsTowardYear: true,
    passwordFree: true,
    needsWithdrawTier: false,
    holdsForReview: false,
  },
  top_up: { countsTowardYear: false, passwordFree: false, needsWithdrawTier: false, holdsForReview: false },
  withdrawal: {
    countsTowardYear: false,
    passwordFree: false,
    needsWithdrawTier: true,
    holdsForReview: false,
  },
  bank_transfer: {
    countsTowardYear: true,
    passwordFree: false,
    needsWithdrawTier: true,
    holdsForReview: false,
  },
  // Paying a merchant (modules/merchants): through its static code (the payer types the amount)
  // or one of its orders (a dynamic code, a checkout). A payment a person must review is refused:
  // the merchant's customer is at the counter.
  merchant_static: {
    countsTowardYear: true,
    passwordFree: true,
    needsWithdrawTier: false,
    holdsForReview: false,
    staticMerchantQr: true,
  },
  merchant_order: {
    countsTowardYear: true,
    passwordFree: true,
    needsWithdrawTier: false,
    holdsForReview: false,
  },
  // The payer's payment code (付款码) scanned by a merchant's till: small amounts pass
  // password-free at once, larger ones wait for the payer's confirmation (a minute, not a day).
  merchant_code: {
    countsTowardYear: true,
    passwordFree: true,
    needsWithdrawTier: false,
    holdsForReview: false,
  },
  // Sending a red packet (modules/redpackets): the money goes to other holders, so it counts
  // toward the year like a transfer; never password-free — a packet is a gift to people the
  // payer may not know (a group link), and the fan-out a mule uses, so it is always confirmed with
  // the PIN or a passkey (WeChat asks for the password on every red packet too). A T0 holder may
  // send one (it stays in wallets). Not held for review: a held packet could not be claimed, and
  // its claimers are waiting now — the engine's review refuses it instead (RISK_REVIEW_REQUIRED).
  red_packet: {
    countsTowardYear: true,
    passwordFree: false,
    needsWithdrawTier: false,
    holdsForReview: false,
  },
  // Paying one's share of a split bill (modules/splits, AA 收款): a payment asked for by a holder
  // the payer knows, of a fixed amount, once — what a payment request is, so it is ruled as one:
  // counts toward the year, may be password-free (a ¥30 dinner share is what the small-payment
  // allowance is for, and that allowance still caps it at ¥1,000 a day), not held for review (the
  // share's claim cannot wait a day for a person: the engine's review refuses it instead).
  split_share: {
    countsTowardYear: true,
    passwordFree: true,
    needsWithdrawTier: false,
    holdsForReview: false,
  },
  // The organiser giving a paid share back: money leaving the organiser's wallet for another
  // holder, so it counts toward the year like a transfer; never password-free — it is the
  // organiser's deliberate act on one share, confirmed with the PIN or a passkey every time.
  split_refund: {
    countsTowardYear: true,
    passwordFree: false,
    needsWithdrawTier: false,
    holdsForReview: false,
  },
};
