/**
 * Rules: the stored shape of a rule set (`ruleSetSchema`, checked when an operator saves one and
 * when one is read back), and `evaluate`, which judges a request's features against it.
 *
 * Precedence (domain-rules §7): the fired rules' scores are summed and clamped to 0–100; the
 * score's threshold decision and every fired rule's own decision compete, and the strongest wins:
 * block > review > step_up > allow (`DECISIONS`, weakest first). A rule may lower the score (an
 * allow-listed device) but can never weaken another rule's own decision.
 *
 * A comparison with a null (or absent) feature is false, so a holder with no history is judged by
 * the rules that do not need one; `not` negates that false like any other.
 */
import { z } from 'zod';
import { featureApplies, featureDefinition } from './features.ts';
import { DECISIONS, OPERATORS, SUBJECTS } from './types.ts';
import type { Condition, Decision, Features, Judgement, Operator, Rule, RuleSet, Subject } from './types.ts';

// ─── The stored shape ───────────────────────────────────────────────────────────────────────────

/** Bounds on a stored rule set: it is operator input, and every judgement walks it. */
export const MAX_RULES = 200;
export const MAX_CONDITION_DEPTH = 8;
export const MAX_CONDITION_CHILDREN = 32;
const MAX_DESCRIPTION_LENGTH = 500;
const RULE_ID = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

const operatorSchema = z.enum(OPERATORS);

const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema).min(1).max(MAX_CONDITION_CHILDREN) }),
    z.strictObject({ any: z.array(conditionSchema).min(1).max(MAX_CONDITION_CHILDREN) }),
    z.strictObject({ not: conditionSchema }),
    z.strictObject({
      feature: z.string(),
      op: operatorSchema,
      value: z.union([z.number().refine(Number.isFinite, 'must be finite'), z.boolean()]),
    }),
    z.strictObject({
      feature: z.string(),
      op: operatorSchema,
      other: z.string(),
      times: z.number().positive().refine(Number.isFinite, 'must be finite').optional(),
    }),
  ]),
);

const descriptionSchema = z.strictObject({
  zh: z.string().trim().min(1).max(MAX_DESCRIPTION_LENGTH),
  en: z.string().trim().min(1).max(MAX_DESCRIPTION_LENGTH),
});

const ruleSchema = z
  .strictObject({
    id: z.string().max(64).regex(RULE_ID, 'must be snake_case'),
    subject: z.enum(SUBJECTS),
    description: descriptionSchema,
    when: conditionSchema,
    score: z.number().int().min(-100).max(100),
    decision: z.enum(DECISIONS).optional(),
  })
  .superRefine((rule, context) => {
    for (const problem of conditionProblems(rule.when, rule.subject, 1)) {
      context.addIssue({ code: 'custom', message: problem, path: ['when'] });
    }
  });

const thresholdSchema = z.number().int().min(1).max(100);

export const ruleSetSchema: z.ZodType<RuleSet> = z
  .strictObject({
    version: z.number().int().positive(),
    thresholds: z.strictObject({
      stepUp: thresholdSchema,
      review: thresholdSchema,
      block: thresholdSchema,
    }),
    rules: z.array(ruleSchema).max(MAX_RULES),
  })
  .superRefine((ruleSet, context) => {
    const { stepUp, review, block } = ruleSet.thresholds;
    if (!(stepUp < review && review < block)) {
      context.addIssue({
        code: 'custom',
        message: 'thresholds must satisfy 0 < stepUp < review < block ≤ 100',
        path: ['thresholds'],
      });
    }
    const seen = new Set<string>();
    ruleSet.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) {
        context.addIssue({
          code: 'custom',
          message: `duplicate rule id ${rule.id}`,
          path: ['rules', index, 'id'],
        });
      }
      seen.add(rule.id);
    });
  });

/** What is wrong with a condition for a rule of `subject` (empty: nothing). */
function conditionProblems(condition: Condition, subject: Subject, depth: number): string[] {
  if (depth > MAX_CONDITION_DEPTH) return [`conditions nest deeper than ${MAX_CONDITION_DEPTH}`];
  if ('all' in condition)
    return condition.all.flatMap((child) => conditionProblems(child, subject, depth + 1));
  if ('any' in condition)
    return condition.any.flatMap((child) => conditionProblems(child, subject, depth + 1));
  if ('not' in condition) return conditionProblems(condition.not, subject, depth + 1);
  const problems: string[] = [];
  const definition = featureDefinition(condition.feature);
  if (definition === undefined) return [`unknown feature ${condition.feature}`];
  if (!featureApplies(condition.feature, subject)) {
    problems.push(`feature ${condition.feature} is not available to ${subject} rules`);
  }
  const equality = condition.op === '==' || condition.op === '!=';
  if ('value' in condition) {
    if (definition.type === 'boolean' && (typeof condition.value !== 'boolean' || !equality)) {
      problems.push(
        `boolean feature ${condition.feature} is compared only with == or != against true or false`,
      );
    }
    if (definition.type === 'number' && typeof condition.value !== 'number') {
      problems.push(`number feature ${condition.feature} is compared with a number`);
    }
  } else {
    const other = featureDefinition(condition.other);
    if (other === undefined) return [...problems, `unknown feature ${condition.other}`];
    if (!featureApplies(condition.other, subject)) {
      problems.push(`feature ${condition.other} is not available to ${subject} rules`);
    }
    if (definition.type !== 'number' || other.type !== 'number') {
      problems.push(
        `only number features are compared with another feature (${condition.feature}, ${condition.other})`,
      );
    }
  }
  return problems;
}

/** A rule set read from storage or an operator: parsed, or the first problems as one message. */
export function parseRuleSet(
  input: unknown,
): { ok: true; ruleSet: RuleSet } | { ok: false; problems: string[] } {
  const result = ruleSetSchema.safeParse(input);
  if (result.success) return { ok: true, ruleSet: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => `${issue.path.join('.') || '(rule set)'}: ${issue.message}`),
  };
}

// ─── Evaluation ─────────────────────────────────────────────────────────────────────────────────

const RANK: Record<Decision, number> = Object.fromEntries(
  DECISIONS.map((decision, index) => [decision, index]),
) as Record<Decision, number>;

/** The stronger of two decisions (block > review > step_up > allow). */
export function strongest(a: Decision, b: Decision): Decision {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The decision a score alone reaches. */
export function thresholdDecision(score: number, thresholds: RuleSet['thresholds']): Decision {
  if (score >= thresholds.block) return 'block';
  if (score >= thresholds.review) return 'review';
  if (score >= thresholds.stepUp) return 'step_up';
  return 'allow';
}

/** Judge one request's features with the rules of its subject (the rule set is assumed parsed). */
export function evaluate(ruleSet: RuleSet, subject: Subject, features: Features): Judgement {
  let total = 0;
  let ruled: Decision = 'allow';
  const fired: string[] = [];
  for (const rule of ruleSet.rules) {
    if (rule.subject !== subject || !holds(rule.when, features)) continue;
    fired.push(rule.id);
    total += rule.score;
    if (rule.decision !== undefined) ruled = strongest(ruled, rule.decision);
  }
  const score = Math.min(100, Math.max(0, total));
  return {
    score,
    decision: strongest(thresholdDecision(score, ruleSet.thresholds), ruled),
    fired,
    version: ruleSet.version,
  };
}

/** Whether a condition holds for these features (null or absent features make comparisons false). */
export function holds(condition: Condition, features: Features): boolean {
  if ('all' in condition) return condition.all.every((child) => holds(child, features));
  if ('any' in condition) return condition.any.some((child) => holds(child, features));
  if ('not' in condition) return !holds(condition.not, features);
  const left = features[condition.feature];
  if (left === null || left === undefined) return false;
  let right: number | boolean;
  if ('value' in condition) {
    right = condition.value;
  } else {
    const other = features[condition.other];
    if (typeof other !== 'number') return false;
    right = other * (condition.times ?? 1);
  }
  return compare(left, condition.op, right);
}

function compare(left: number | boolean, op: Operator, right: number | boolean): boolean {
  if (typeof left !== typeof right) return false;
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
  }
}

/** The rules of a rule set that fired, each with the leaf comparisons that held (for a case view). */
export function explain(
  ruleSet: RuleSet,
  subject: Subject,
  features: Features,
): { rule: Rule; matched: Condition[] }[] {
  return ruleSet.rules
    .filter((rule) => rule.subject === subject && holds(rule.when, features))
    .map((rule) => ({ rule, matched: leaves(rule.when).filter((leaf) => holds(leaf, features)) }));
}

function leaves(condition: Condition): Condition[] {
  if ('all' in condition) return condition.all.flatMap(leaves);
  if ('any' in condition) return condition.any.flatMap(leaves);
  if ('not' in condition) return leaves(condition.not);
  return [condition];
}

// ─── Backtests ──────────────────────────────────────────────────────────────────────────────────

export interface JudgementDiff {
  decisionChanged: boolean;
  /** +1: `b` is stricter than `a`; −1: more lenient; 0: the same decision. */
  direction: -1 | 0 | 1;
  scoreDelta: number;
  /** Rules that fired in `b` only, and in `a` only. */
  added: string[];
  removed: string[];
}

/** How judgement `b` (a candidate rule set) differs from `a` (the one that decided). */
export function diff(a: Judgement, b: Judgement): JudgementDiff {
  const before = new Set(a.fired);
  const after = new Set(b.fired);
  const rankDelta = RANK[b.decision] - RANK[a.decision];
  return {
    decisionChanged: a.decision !== b.decision,
    direction: rankDelta > 0 ? 1 : rankDelta < 0 ? -1 : 0,
    scoreDelta: b.score - a.score,
    added: b.fired.filter((id) => !before.has(id)),
    removed: a.fired.filter((id) => !after.has(id)),
  };
}
