/**
 * The payments pipeline (issue 10, docs/adr/0014-payments-pipeline.md): the steps every payment
 * takes before the ledger (`PaymentAuthorizer`), the risk step they include, the payment kinds
 * and their rules, and the one mapping of ledger refusals. Modules that move money use these,
 * never a copy of them.
 */
export {
  PaymentAuthorizer,
  type Authorization,
  type AuthorizeInput,
  type AuthorizerDeps,
} from './authorize.ts';
export { ledgerRefusal, primaryFailure, type RefusalContext } from './failures.ts';
export { PAYMENT_KINDS, type PaymentKind, type PaymentKindRules } from './kinds.ts';
export {
  allowEveryPayment,
  type ReceivedInput,
  type RefundRiskInput,
  type RiskDecision,
  type RiskInput,
  type RiskStep,
} from './risk.ts';
export { settled } from './settled.ts';
export {
  HOLD_GRACE_SECONDS,
  HeldPayments,
  type HeldPaymentSettler,
  type OpenCase,
  type ReviewCases,
  type ReviewOutcome,
  type SettledHold,
} from './review.ts';
