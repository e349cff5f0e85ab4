/**
 * Measures a rule set on a synthetic event stream (generator.ts): the stream is played in time
 * order through the real engine (engine.ts) and the memory store, as the server would play it,
 * and each measured payment's decision is compared with its label.
 *
 * Scoring choices:
 * - A payment is flagged when the decision is not `allow`. Recall per fraud pattern is flagged ÷
 *   events of that pattern; precision is fraud flagged ÷ all flagged (normal and fraud). `setup`
 *   events (a takeover's sign-in, a victim's top-up) and warm-up events are played but not scored.
 * - Holders who register during the period (generator.ts `newHolders`) are normal traffic like
 *   any other; their figures are also given on their own (`newHolders`).
 * - After the decision, the outcome is recorded as the server would: `allow` moves money
 *   (recordSuccess); `review` and `block` do not. For `step_up` the genuine holder passes and the
 *   fraudster fails: a normal payment that stepped up succeeds and counts as a false positive (the
 *   holder was bothered), a fraudulent one is caught and counts as flagged.
 * - A fraud's preparation is assumed to have succeeded, whatever its judgement: every sign-in is
 *   recorded, and so is every `setup` payment (a victim's top-up, the money a mule receives from
 *   upstream). The acts are then measured on their own, not behind a defence that stopped the
 *   fraud one step earlier. Sign-in decisions are still counted.
 */
import { judge } from '../engine/engine.ts';
import { MemoryRiskStateStore } from '../engine/memory-store.ts';
import { DECISIONS } from '../engine/types.ts';
import type { Decision, RuleSet } from '../engine/types.ts';
import { FRAUD_PATTERNS } from './generator.ts';
import type { FraudPattern, SyntheticStream } from './generator.ts';

/** The seed `qianbao risk evaluate` uses when none is given. */
export const DEFAULT_SEED = 1;

export interface PatternFigures {
  events: number;
  flagged: number;
  /** flagged ÷ events; null when the stream has no event of the pattern. */
  recall: number | null;
}

export interface Evaluation {
  patterns: Record<FraudPattern, PatternFigures>;
  overall: {
    fraudEvents: number;
    normalEvents: number;
    flagged: number;
    truePositives: number;
    falsePositives: number;
    /** truePositives ÷ flagged; null when nothing was flagged. */
    precision: number | null;
    /** fraud flagged ÷ fraud events. */
    recall: number | null;
  };
  /** Scored events per decision: payments by label class, and sign-ins. */
  decisions: Record<'normal' | 'fraud' | 'sign_in', Record<Decision, number>>;
  /** How often each rule fired on scored normal and fraudulent payments (to tune it). */
  rules: Record<string, { normal: number; fraud: number }>;
  /**
   * The holders who registered during the period (part of the normal payments above): their
   * payments and how many were flagged, all and within the first hour after registering.
   */
  newHolders: {
    holders: number;
    payments: number;
    flagged: number;
    firstHourPayments: number;
    firstHourFlagged: number;
  };
}

export async function evaluateRuleSet(ruleSet: RuleSet, stream: SyntheticStream): Promise<Evaluation> {
  const store = new MemoryRiskStateStore({ placeOf: stream.placeOf });
  const patterns = Object.fromEntries(
    FRAUD_PATTERNS.map((pattern) => [pattern, { events: 0, flagged: 0, recall: null }]),
  ) as Record<FraudPattern, PatternFigures>;
  const decisions = {
    normal: zeroDecisions(),
    fraud: zeroDecisions(),
    sign_in: zeroDecisions(),
  };
  const rules: Evaluation['rules'] = Object.fromEntries(
    ruleSet.rules.map((rule) => [rule.id, { normal: 0, fraud: 0 }]),
  );
  let normalEvents = 0;
  let normalFlagged = 0;
  const newHolders = {
    holders: stream.newHolders.size,
    payments: 0,
    flagged: 0,
    firstHourPayments: 0,
    firstHourFlagged: 0,
  };

  for (const event of stream.events) {
    switch (event.type) {
      case 'list':
        if (event.action === 'deny') store.deny(event.list, event.value);
        else store.allow(event.list, event.value);
        break;
      case 'credential_reset':
        await store.recordCredentialReset(event.holderId, event.at);
        break;
      case 'factor_failure':
        await store.recordFactorFailure(event.holderId, event.at);
        break;
      case 'sign_in': {
        const { judgement } = await judge(store, event.facts, ruleSet);
        if (event.measured) decisions.sign_in[judgement.decision] += 1;
        await store.recordSignIn(event.facts, stream.placeOf(event.facts.ip ?? ''));
        break;
      }
      case 'payment': {
        const { judgement } = await judge(store, event.facts, ruleSet);
        const fraud = event.label !== 'normal' && event.label !== 'setup';
        const succeeded =
          event.label === 'setup' ||
          judgement.decision === 'allow' ||
          (judgement.decision === 'step_up' && !fraud);
        if (succeeded) await store.recordSuccess(event.facts);
        if (!event.measured || event.label === 'setup') break;
        const flagged = judgement.decision !== 'allow';
        decisions[fraud ? 'fraud' : 'normal'][judgement.decision] += 1;
        for (const id of judgement.fired) {
          const counts = rules[id];
          if (counts) counts[fraud ? 'fraud' : 'normal'] += 1;
        }
        if (event.label === 'normal') {
          normalEvents += 1;
          if (flagged) normalFlagged += 1;
          const joined = stream.newHolders.get(event.facts.holderId);
          if (joined !== undefined) {
            const firstHour = event.at.getTime() - joined.getTime() < HOUR_MS;
            newHolders.payments += 1;
            if (flagged) newHolders.flagged += 1;
            if (firstHour) newHolders.firstHourPayments += 1;
            if (firstHour && flagged) newHolders.firstHourFlagged += 1;
          }
        } else {
          const figures = patterns[event.label];
          figures.events += 1;
          if (flagged) figures.flagged += 1;
        }
        break;
      }
    }
  }

  let fraudEvents = 0;
  let truePositives = 0;
  for (const figures of Object.values(patterns)) {
    figures.recall = ratio(figures.flagged, figures.events);
    fraudEvents += figures.events;
    truePositives += figures.flagged;
  }
  const flagged = truePositives + normalFlagged;
  return {
    patterns,
    overall: {
      fraudEvents,
      normalEvents,
      flagged,
      truePositives,
      falsePositives: normalFlagged,
      precision: ratio(truePositives, flagged),
      recall: ratio(truePositives, fraudEvents),
    },
    decisions,
    rules,
    newHolders,
  };
}

const HOUR_MS = 3_600_000;

function zeroDecisions(): Record<Decision, number> {
  return Object.fromEntries(DECISIONS.map((decision) => [decision, 0])) as Record<Decision, number>;
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}
