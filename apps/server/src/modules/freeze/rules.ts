/**
 * What a second freeze does to a live one, and who may lift what (docs/freeze.md). Pure: the
 * store applies the answer under the row lock of the live freeze.
 */
import type { FreezeMode, FreezeSource } from './events.ts';

const MODE_RANK: Record<FreezeMode, number> = { receive_only: 0, full: 1 };

/**
 * Whose freeze weighs more. The holder's and a lost-phone report's the holder may lift; the risk
 * engine's and an operator's only an operator may. A freeze by a heavier source takes a live one
 * over (its source becomes the heavier one), so a freeze never passes to someone allowed to lift
 * what they could not lift before.
 */
const SOURCE_RANK: Record<FreezeSource, number> = { holder: 0, report_loss: 1, engine: 2, operator: 3 };

/** Whether the holder may lift a freeze set by `source` (with the identity proofs). */
export function holderMayLift(source: FreezeSource): boolean {
  return source === 'holder' || source === 'report_loss';
}

export type FreezeDecision =
  /** Nothing to change: the live freeze is already at least this. */
  | { kind: 'unchanged' }
  | { kind: 'change'; mode: FreezeMode; source: FreezeSource }
  /** The holder asked for less than a freeze only an operator may lift. */
  | { kind: 'needsOperator' };

/**
 * A freeze asked for while `live` stands. The result is the stricter mode and the heavier source
 * of the two — a freeze never loosens — with one exception: the holder may turn a freeze of its
 * own kind (holder, lost-phone report) from full to receive-only, since letting money in never
 * harms the holder and the holder could lift it altogether.
 */
export function decideFreeze(
  live: { mode: FreezeMode; source: FreezeSource },
  asked: { mode: FreezeMode; source: FreezeSource },
): FreezeDecision {
  const looser = MODE_RANK[asked.mode] < MODE_RANK[live.mode];
  if (looser && asked.source === 'holder') {
    if (!holderMayLift(live.source)) return { kind: 'needsOperator' };
    return { kind: 'change', mode: asked.mode, source: live.source };
  }
  const mode = MODE_RANK[asked.mode] > MODE_RANK[live.mode] ? asked.mode : live.mode;
  const source = SOURCE_RANK[asked.source] > SOURCE_RANK[live.source] ? asked.source : live.source;
  if (mode === live.mode && source === live.source) return { kind: 'unchanged' };
  return { kind: 'change', mode, source };
}
