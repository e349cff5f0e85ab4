/**
 * The risk step of the payments pipeline (issue 10; the risk engine of issue 11 fills it): every
 * payment is judged after its limits are planned and before the factor is chosen, so a risky
 * payment can ask for a stronger factor than the holder's settings alone would.
 *
 * Today's policy judges nothing and allows everything: the decisions it can give are exactly the
 * ones the pipeline acts on (allow, step up). Holding for review and blocking come with the risk
 * engine, which extends `RiskDecision` together with what the pipeline does on them.
 */
import type { PaymentKind } from './kinds.ts';

export interface RiskInput {
  kind: PaymentKind;
  payerUserId: string;
  amountMinor: bigint;
  currency: string;
  /** The payment's payee reference as the confirmation binds it (`user:<id>`, `card:<id>` …). */
  payee: string;
  now: Date;
}

export type RiskDecision =
  | { decision: 'allow'; rules: readonly string[] }
  /** Confirm with the strongest factor the holder has (never password-free). */
  | { decision: 'step_up'; rules: readonly string[] };

export interface RiskStep {
  judge(input: RiskInput): Promise<RiskDecision>;
}

const ALLOWED: RiskDecision = Object.freeze({ decision: 'allow', rules: Object.freeze([]) });

/** Until the risk engine: every payment is allowed, and nothing is asked beyond the holder's settings. */
export const allowEveryPayment: RiskStep = {
  judge: () => Promise.resolve(ALLOWED),
};
