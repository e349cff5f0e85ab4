/**
 * One judgement: read the state the facts need, derive the features, evaluate the rule set, and
 * count a payment attempt in the velocity windows whatever was decided (a blocked fraudster's
 * attempts must keep counting) — or a merchant refund, when it is let through. The features are returned with the judgement because they are
 * what a decision stores: a backtest re-evaluates another rule set on them, without the state.
 *
 * Recording the outcome — a success, a sign-in — is the caller's: only it knows whether the
 * ledger accepted the payment or the holder passed the step-up.
 */
import { derive } from './features.ts';
import { evaluate } from './rules.ts';
import type { Facts, Features, Judgement, RiskStateStore, RuleSet } from './types.ts';

export interface Verdict {
  judgement: Judgement;
  features: Features;
}

export async function judge(store: RiskStateStore, facts: Facts, ruleSet: RuleSet): Promise<Verdict> {
  const features = derive(facts, await store.read(facts));
  const judgement = evaluate(ruleSet, facts.subject, features);
  if (facts.subject === 'payment') await store.recordAttempt(facts, judgement);
  // A refund counts only when let through: a refused one moves nothing (features.ts `refundChanges`).
  if (facts.subject === 'merchant_refund' && judgement.decision === 'allow') await store.recordRefund(facts);
  return { judgement, features };
}
