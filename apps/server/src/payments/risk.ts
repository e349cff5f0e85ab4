/**
 * The risk step of the payments pipeline (issue 10; the risk engine of issue 11 fills it,
 * modules/risk): every payment is judged after its limits are planned and before the factor is
 * chosen, so a risky payment can ask for more than the holder's settings alone would.
 *
 * What the pipeline does with each decision (authorize.ts):
 * - `allow`: nothing more;
 * - `step_up`: a strong factor (passkey, TOTP) is accepted as the confirmation; otherwise the
 *   payment is refused with STEP_UP_REQUIRED and a challenge (`stepUps.challenge`) the holder
 *   passes with a passkey, a TOTP or an SMS code, after which the same payment (same id, amount
 *   and payee: a retry with the same Idempotency-Key) is confirmed with its ordinary factor;
 * - `review`: the payment is confirmed as any other, then held in the ledger while a case waits
 *   for an operator (review.ts) when its kind holds for review and the step has `reviews`;
 *   otherwise refused with RISK_REVIEW_REQUIRED;
 * - `block`: refused with RISK_BLOCKED; the engine has frozen the wallet.
 *
 * A merchant refund (`judgeRefund`) is no holder's payment: staff return a payer's money from the
 * merchant's balance, so no factor confirms it and nothing can be stepped up or held. Anything
 * but `allow` refuses it (PaymentAuthorizer.judgeRefund): `block` with RISK_BLOCKED (nothing is
 * frozen), `review` and `step_up` with RISK_REVIEW_REQUIRED.
 */
import type { AppError } from '../errors.ts';
import type { PaymentToConfirm } from '../modules/security/index.ts';
import type { PaymentKind } from './kinds.ts';
import type { ReviewCases } from './review.ts';

export interface RiskInput {
  kind: PaymentKind;
  payerUserId: string;
  amountMinor: bigint;
  currency: string;
  /** The payment's payee reference as the confirmation binds it (`user:<id>`, `card:<id>` …). */
  payee: string;
  /** The payment's id as the confirmation binds it. */
  paymentId: string;
  /** `pay`: a payment being confirmed — it counts and its decision is kept; `preview`: a quote, neither. */
  mode: 'pay' | 'preview';
  now: Date;
}

/** A merchant refund as the risk step judges it: after its order and amount are known, before anything is reserved. */
export interface RefundRiskInput {
  merchantId: string;
  /** The holder who owns the merchant (its decisions are listed under them). */
  merchantOwnerUserId: string;
  /** The refund's id (the row it will be reserved as): the decision's movement. */
  refundId: string;
  amountMinor: bigint;
  currency: string;
  /** What the order's payer paid, and what was refunded of it before this refund. */
  orderPaidMinor: bigint;
  orderRefundedMinor: bigint;
  orderPaidAt: Date;
  /** Who gets the money back. */
  payerUserId: string;
  now: Date;
}

/**
 * Money credited into a holder's wallet that no judgement covers at that moment: a red packet's
 * share as its claimer opens it (the packet was judged when sent). The engine learns of it — the
 * claimer's incoming money, the sender's fan-out — and decides nothing.
 */
export interface ReceivedInput {
  kind: 'red_packet_claim';
  fromUserId: string;
  toUserId: string;
  /** When the receiver registered (a fresh account claiming is a fan-out signal). */
  toRegisteredAt: Date | null;
  amountMinor: bigint;
  currency: string;
  now: Date;
}

export type RiskDecisionKind = 'allow' | 'step_up' | 'review' | 'block';

export interface RiskDecision {
  decision: RiskDecisionKind;
  /** The rules that fired (ids). */
  rules: readonly string[];
  /** 0–100; 0 when no engine judged. */
  score?: number;
  /** The rule set's version; 0 when no engine judged. */
  version?: number;
  /** The stored decision (pay mode); null for a preview or without an engine. */
  decisionId?: string | null;
}

export interface RiskStep {
  judge(input: RiskInput): Promise<RiskDecision>;
  /** The ledger accepted the payment: its amount, payee and sums become the holder's history. */
  moved?(input: RiskInput): Promise<void>;
  /** The ledger credited a wallet with money no judgement covers now (a red packet's share). */
  received?(input: ReceivedInput): Promise<void>;
  /**
   * Judge a merchant refund (its own subject; the decision is kept, and a refund let through is
   * counted in the merchant's refunds). Without it every refund is allowed.
   */
  judgeRefund?(input: RefundRiskInput): Promise<RiskDecision>;
  /** Review cases; without them a `review` is refused (RISK_REVIEW_REQUIRED) for every kind. */
  reviews?: ReviewCases;
  /** Step-ups of single payments; without them a `step_up` accepts only a strong factor. */
  stepUps?: {
    /** Whether the holder passed a step-up of exactly this payment (id, amount, currency, payee). */
    passed(input: { userId: string; payment: PaymentToConfirm; now: Date }): Promise<boolean>;
    /** A new challenge for this payment: the STEP_UP_REQUIRED error to answer. */
    challenge(input: {
      userId: string;
      payment: PaymentToConfirm;
      decision: RiskDecision;
      now: Date;
    }): Promise<AppError>;
  };
}

const ALLOWED: RiskDecision = Object.freeze({ decision: 'allow', rules: Object.freeze([]) });

/** No engine: every payment is allowed, and nothing is asked beyond the holder's settings. */
export const allowEveryPayment: RiskStep = {
  judge: () => Promise.resolve(ALLOWED),
};
