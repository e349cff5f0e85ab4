/**
 * A backtest: the stored decisions of a period judged again under another rule set, on the
 * features they were made on (ADR 0017) — nothing is recomputed from history, so a period of a
 * million decisions is a million evaluations of pure code, read a page at a time.
 */
import { evaluate } from './engine/rules.ts';
import type { Decision, RuleSet, Subject } from './engine/types.ts';
import type { RiskStore } from './store.ts';

/** Decisions read per page. */
const PAGE = 1000;

export interface Backtest {
  version: number;
  from: Date;
  to: Date;
  judged: number;
  changed: number;
  /** `was→now` → count, e.g. `allow→step_up`. */
  byChange: Record<string, number>;
  differences: {
    decisionId: string;
    subject: Subject;
    kind: string;
    holderId: string;
    movementId: string | null;
    amountMinor: bigint | null;
    currency: string | null;
    at: Date;
    was: { decision: Decision; score: number; fired: string[]; version: number };
    now: { decision: Decision; score: number; fired: string[] };
  }[];
}

export async function backtest(
  store: Pick<RiskStore, 'decisionsSince'>,
  candidate: RuleSet,
  input: { from: Date; to: Date; sample?: number },
): Promise<Backtest> {
  const sample = input.sample ?? 100;
  const result: Backtest = {
    version: candidate.version,
    from: input.from,
    to: input.to,
    judged: 0,
    changed: 0,
    byChange: {},
    differences: [],
  };
  let after: string | null = null;
  for (;;) {
    const page = await store.decisionsSince({ from: input.from, to: input.to, after, limit: PAGE });
    for (const row of page) {
      result.judged += 1;
      const again = evaluate(candidate, row.subject, row.features);
      if (again.decision === row.decision) continue;
      result.changed += 1;
      const key = `${row.decision}→${again.decision}`;
      result.byChange[key] = (result.byChange[key] ?? 0) + 1;
      if (result.differences.length < sample) {
        result.differences.push({
          decisionId: row.id,
          subject: row.subject,
          kind: row.kind,
          holderId: row.holder_id,
          movementId: row.movement_id,
          amountMinor: row.amount_minor,
          currency: row.currency,
          at: row.at,
          was: { decision: row.decision, score: row.score, fired: row.fired, version: row.version },
          now: { decision: again.decision, score: again.score, fired: again.fired },
        });
      }
    }
    if (page.length < PAGE) return result;
    after = page.at(-1)!.id;
  }
}
