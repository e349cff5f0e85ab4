import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  diff,
  evaluate,
  explain,
  holds,
  parseRuleSet,
  ruleSetSchema,
  strongest,
  thresholdDecision,
} from './rules.ts';
import { DECISIONS, OPERATORS, SUBJECTS } from './types.ts';
import type { Condition, Decision, Features, Judgement, Rule, RuleSet, Subject } from './types.ts';

const THRESHOLDS = { stepUp: 65, review: 75, block: 90 };

function paymentRule(id: string, score: number, when: Condition, decision?: Decision): Rule {
  const rule: Rule = { id, subject: 'payment', description: { zh: id, en: id }, when, score };
  if (decision !== undefined) rule.decision = decision;
  return rule;
}

function ruleSet(rules: Rule[]): RuleSet {
  return { version: 7, thresholds: THRESHOLDS, rules };
}

const always: Condition = { feature: 'amount_minor', op: '>=', value: 0 };

describe('conditions', () => {
  const features: Features = {
    amount_minor: 500,
    holder_amount_median: 100,
    night: true,
    balance_minor: null,
  };

  it.each([
    ['>', 499, true],
    ['>', 500, false],
    ['>=', 500, true],
    ['>=', 501, false],
    ['<', 501, true],
    ['<', 500, false],
    ['<=', 500, true],
    ['<=', 499, false],
    ['==', 500, true],
    ['==', 499, false],
    ['!=', 499, true],
    ['!=', 500, false],
  ] as const)('amount_minor %s %d is %s', (op, value, expected) => {
    expect(holds({ feature: 'amount_minor', op, value }, features)).toBe(expected);
  });

  it('compares a feature with another times a factor', () => {
    expect(
      holds({ feature: 'amount_minor', op: '>', other: 'holder_amount_median', times: 4 }, features),
    ).toBe(true);
    expect(
      holds({ feature: 'amount_minor', op: '>', other: 'holder_amount_median', times: 5 }, features),
    ).toBe(false);
    expect(holds({ feature: 'amount_minor', op: '>=', other: 'holder_amount_median' }, features)).toBe(true);
  });

  it('compares booleans with == and !=', () => {
    expect(holds({ feature: 'night', op: '==', value: true }, features)).toBe(true);
    expect(holds({ feature: 'night', op: '!=', value: true }, features)).toBe(false);
    expect(holds({ feature: 'night', op: '==', value: false }, features)).toBe(false);
  });

  it('is false for a null or absent feature, on either side; `not` negates that false', () => {
    expect(holds({ feature: 'balance_minor', op: '>=', value: 0 }, features)).toBe(false);
    expect(holds({ feature: 'balance_minor', op: '<', value: 0 }, features)).toBe(false);
    expect(holds({ feature: 'unknown_feature', op: '==', value: 0 }, features)).toBe(false);
    expect(holds({ feature: 'amount_minor', op: '>', other: 'balance_minor' }, features)).toBe(false);
    expect(holds({ feature: 'amount_minor', op: '<=', other: 'balance_minor' }, features)).toBe(false);
    expect(holds({ not: { feature: 'balance_minor', op: '>=', value: 0 } }, features)).toBe(true);
  });

  it('combines with all, any and not', () => {
    const yes: Condition = { feature: 'night', op: '==', value: true };
    const no: Condition = { feature: 'amount_minor', op: '<', value: 0 };
    expect(holds({ all: [yes, yes] }, features)).toBe(true);
    expect(holds({ all: [yes, no] }, features)).toBe(false);
    expect(holds({ any: [no, yes] }, features)).toBe(true);
    expect(holds({ any: [no, no] }, features)).toBe(false);
    expect(holds({ not: no }, features)).toBe(true);
    expect(holds({ not: { all: [yes, { not: no }] } }, features)).toBe(false);
  });
});

describe('evaluate', () => {
  it('sums the fired rules of the subject, in rule-set order', () => {
    const rules = ruleSet([
      paymentRule('first', 30, always),
      paymentRule('never', 50, { feature: 'amount_minor', op: '<', value: 0 }),
      { ...paymentRule('sign_in_only', 50, { feature: 'night', op: '==', value: true }), subject: 'sign_in' },
      paymentRule('second', 20, always),
    ]);
    const judgement = evaluate(rules, 'payment', { amount_minor: 1, night: true });
    expect(judgement).toEqual({ score: 50, decision: 'allow', fired: ['first', 'second'], version: 7 });
    expect(evaluate(rules, 'sign_in', { amount_minor: 1, night: true }).fired).toEqual(['sign_in_only']);
  });

  it('clamps the score to 0–100', () => {
    expect(
      evaluate(ruleSet([paymentRule('a', 80, always), paymentRule('b', 80, always)]), 'payment', {
        amount_minor: 1,
      }).score,
    ).toBe(100);
    expect(
      evaluate(ruleSet([paymentRule('a', -30, always), paymentRule('b', 10, always)]), 'payment', {
        amount_minor: 1,
      }).score,
    ).toBe(0);
  });

  it.each([
    [64, 'allow'],
    [65, 'step_up'],
    [74, 'step_up'],
    [75, 'review'],
    [89, 'review'],
    [90, 'block'],
  ] as const)('a score of %d decides %s', (score, decision) => {
    expect(
      evaluate(ruleSet([paymentRule('a', score, always)]), 'payment', { amount_minor: 1 }).decision,
    ).toBe(decision);
  });

  it('takes the strongest of the threshold decision and the fired rules’ own: block > review > step_up > allow', () => {
    const judge = (rules: Rule[]) => evaluate(ruleSet(rules), 'payment', { amount_minor: 1 }).decision;
    expect(judge([paymentRule('a', 0, always, 'review')])).toBe('review');
    expect(judge([paymentRule('a', 0, always, 'step_up'), paymentRule('b', 0, always, 'review')])).toBe(
      'review',
    );
    expect(judge([paymentRule('a', 0, always, 'block'), paymentRule('b', 0, always, 'step_up')])).toBe(
      'block',
    );
    expect(judge([paymentRule('a', 95, always, 'step_up')])).toBe('block');
    expect(judge([paymentRule('a', 70, always, 'review')])).toBe('review');
    // A negative score lowers the score, never another rule's own decision.
    expect(judge([paymentRule('a', 0, always, 'review'), paymentRule('b', -100, always)])).toBe('review');
  });

  it('orders decisions as DECISIONS says', () => {
    expect(DECISIONS).toEqual(['allow', 'step_up', 'review', 'block']);
    expect(strongest('allow', 'block')).toBe('block');
    expect(strongest('review', 'step_up')).toBe('review');
    expect(thresholdDecision(0, THRESHOLDS)).toBe('allow');
  });

  it('explains which comparisons of a fired rule held', () => {
    const high: Condition = { feature: 'amount_minor', op: '>', value: 100 };
    const night: Condition = { feature: 'night', op: '==', value: true };
    const rules = ruleSet([paymentRule('a', 10, { any: [high, night] }), paymentRule('b', 10, night)]);
    expect(explain(rules, 'payment', { amount_minor: 500, night: false })).toEqual([
      { rule: rules.rules[0], matched: [high] },
    ]);
  });
});

describe('the decision is never weaker than a fired rule’s own nor the score’s (property)', () => {
  const features = ['amount_minor', 'amount_to_balance', 'holder_payments_1m'] as const;
  const leaf = fc.record({
    feature: fc.constantFrom(...features),
    op: fc.constantFrom(...OPERATORS),
    value: fc.integer({ min: -5, max: 5 }),
  });
  const condition: fc.Arbitrary<Condition> = fc.oneof(
    leaf,
    fc.array(leaf, { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(leaf, { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
    leaf.map((not) => ({ not })),
  );
  const rule = fc.record({
    subject: fc.constantFrom(...SUBJECTS),
    score: fc.integer({ min: -100, max: 100 }),
    decision: fc.option(fc.constantFrom(...DECISIONS), { nil: undefined }),
    when: condition,
  });
  const thresholds = fc
    .uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 3, maxLength: 3 })
    .map((values) => values.sort((a, b) => a - b))
    .map(([stepUp = 1, review = 2, block = 3]) => ({ stepUp, review, block }));
  const values = fc.record({
    amount_minor: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
    amount_to_balance: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
    holder_payments_1m: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
  });

  // Rules of every subject mixed in one set, judged as any subject: only that subject's rules
  // fire, with the same precedence (a refund's rules and a payment's never mix).
  it('holds for random rule sets and features, of every subject', () => {
    const judged = fc.constantFrom(...SUBJECTS);
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 12 }),
        thresholds,
        values,
        judged,
        (drafts, limits, featureValues, subject: Subject) => {
          const rules = drafts.map((draft, index) => ({
            ...paymentRule(`rule_${index}`, draft.score, draft.when, draft.decision),
            subject: draft.subject,
          }));
          const set: RuleSet = { version: 1, thresholds: limits, rules };
          const judgement = evaluate(set, subject, featureValues);
          const rank = (decision: Decision) => DECISIONS.indexOf(decision);
          expect(judgement.score).toBeGreaterThanOrEqual(0);
          expect(judgement.score).toBeLessThanOrEqual(100);
          expect(rank(judgement.decision)).toBeGreaterThanOrEqual(
            rank(thresholdDecision(judgement.score, limits)),
          );
          for (const id of judgement.fired) {
            const own = rules.find((candidate) => candidate.id === id)?.decision ?? 'allow';
            expect(rank(judgement.decision)).toBeGreaterThanOrEqual(rank(own));
          }
          // And it is exactly the strongest of those: nothing fires a decision out of nowhere.
          const expected = judgement.fired
            .map((id) => rules.find((candidate) => candidate.id === id)?.decision ?? 'allow')
            .reduce(strongest, thresholdDecision(judgement.score, limits));
          expect(judgement.decision).toBe(expected);
          expect(judgement.fired).toEqual(
            rules
              .filter((candidate) => candidate.subject === subject && holds(candidate.when, featureValues))
              .map((r) => r.id),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('ruleSetSchema', () => {
  const valid = (): RuleSet =>
    ruleSet([
      paymentRule('large_night', 40, {
        all: [
          { feature: 'night', op: '==', value: true },
          { feature: 'amount_minor', op: '>', other: 'holder_amount_median', times: 3 },
        ],
      }),
      {
        ...paymentRule('geo_jump', 70, { feature: 'geo_speed_kmh', op: '>', value: 900 }, 'step_up'),
        subject: 'sign_in',
      },
    ]);

  it('accepts a well-formed rule set', () => {
    expect(ruleSetSchema.safeParse(valid()).success).toBe(true);
  });

  const problemsOf = (mutate: (set: RuleSet) => void): string[] => {
    const set = valid();
    mutate(set);
    const parsed = parseRuleSet(JSON.parse(JSON.stringify(set)));
    return parsed.ok ? [] : parsed.problems;
  };

  it.each<[string, (set: RuleSet) => void, RegExp]>([
    ['a duplicate id', (set) => set.rules.push({ ...set.rules[0]! }), /duplicate rule id large_night/],
    ['an id not in snake_case', (set) => (set.rules[0]!.id = 'LargeNight'), /snake_case/],
    ['an id with a trailing underscore', (set) => (set.rules[0]!.id = 'large_'), /snake_case/],
    [
      'an unknown feature',
      (set) => (set.rules[0]!.when = { feature: 'shoe_size', op: '>', value: 1 }),
      /unknown feature shoe_size/,
    ],
    [
      'a payment feature in a sign-in rule',
      (set) => (set.rules[1]!.when = { feature: 'amount_minor', op: '>', value: 1 }),
      /amount_minor is not available to sign_in rules/,
    ],
    [
      'a boolean compared with >',
      (set) => (set.rules[0]!.when = { feature: 'night', op: '>', value: true }),
      /boolean feature night/,
    ],
    [
      'a boolean compared with a number',
      (set) => (set.rules[0]!.when = { feature: 'night', op: '==', value: 1 }),
      /boolean feature night/,
    ],
    [
      'a number compared with a boolean',
      (set) => (set.rules[0]!.when = { feature: 'amount_minor', op: '==', value: true }),
      /number feature amount_minor/,
    ],
    [
      'a boolean on the other side',
      (set) => (set.rules[0]!.when = { feature: 'amount_minor', op: '>', other: 'night' }),
      /only number features are compared/,
    ],
    ['an unknown operator', (set) => ((set.rules[0]!.when as { op: string }).op = '=~'), /when/],
    ['a score above 100', (set) => (set.rules[0]!.score = 101), /score/],
    ['a score below −100', (set) => (set.rules[0]!.score = -101), /score/],
    ['a fractional score', (set) => (set.rules[0]!.score = 1.5), /score/],
    [
      'an unknown decision',
      (set) => ((set.rules[0] as { decision?: string }).decision = 'freeze'),
      /decision/,
    ],
    [
      'thresholds out of order',
      (set) => (set.thresholds = { stepUp: 75, review: 65, block: 90 }),
      /0 < stepUp < review < block/,
    ],
    [
      'equal thresholds',
      (set) => (set.thresholds = { stepUp: 65, review: 65, block: 90 }),
      /0 < stepUp < review < block/,
    ],
    [
      'a block threshold above 100',
      (set) => (set.thresholds = { stepUp: 65, review: 75, block: 101 }),
      /thresholds\.block/,
    ],
    [
      'a zero step-up threshold',
      (set) => (set.thresholds = { stepUp: 0, review: 75, block: 90 }),
      /thresholds\.stepUp/,
    ],
    ['an empty description', (set) => (set.rules[0]!.description = { zh: '', en: 'x' }), /description\.zh/],
    ['an empty all', (set) => (set.rules[0]!.when = { all: [] }), /when/],
    [
      'an extra field',
      (set) => ((set.rules[0] as unknown as Record<string, unknown>).weight = 1),
      /rules\.0/,
    ],
  ])('rejects %s', (_name, mutate, problem) => {
    const problems = problemsOf(mutate);
    expect(problems.join('\n')).toMatch(problem);
  });

  it('rejects conditions nested too deep', () => {
    let when: Condition = { feature: 'amount_minor', op: '>', value: 1 };
    for (let depth = 0; depth < 10; depth += 1) when = { not: when };
    expect(problemsOf((set) => (set.rules[0]!.when = when)).join('\n')).toMatch(/nest deeper/);
  });
});

describe('diff', () => {
  const base: Judgement = { score: 40, decision: 'allow', fired: ['a', 'b'], version: 1 };

  it('says whether the decision changed, which way, and which rules came and went', () => {
    expect(diff(base, { score: 80, decision: 'review', fired: ['b', 'c'], version: 2 })).toEqual({
      decisionChanged: true,
      direction: 1,
      scoreDelta: 40,
      added: ['c'],
      removed: ['a'],
    });
    expect(diff({ ...base, decision: 'block' }, base).direction).toBe(-1);
    expect(diff(base, { ...base, version: 2 })).toEqual({
      decisionChanged: false,
      direction: 0,
      scoreDelta: 0,
      added: [],
      removed: [],
    });
  });
});
