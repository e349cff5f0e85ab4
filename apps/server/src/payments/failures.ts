/**
 * The one mapping from a ledger refusal to what the holder is told, for every payment kind
 * (it replaces the transfers module's `ledgerError` and the funding module's `holdFailure`).
 *
 *   insufficientFunds  → INSUFFICIENT_FUNDS
 *   limitExceeded      → LIMIT_EXCEEDED with which limit, its max and what was left
 *   exceedsBalanceCap  → PAYEE_BALANCE_CAP_EXCEEDED; how much more fits is told only when the
 *                        wallet is the payer's own (a top-up): of another holder's wallet it would
 *                        tell the payer that holder's balance
 *
 * `idAlreadyFailed` is read as the failure it remembers (ADR 0002), and a linked request's
 * `linkedEventFailed` outcomes give way to the transfer that really failed. Any other result (an
 * unknown account, a malformed transfer) is a programmer error and is thrown as such.
 */
import type { TransferOutcome, TransferResult } from '@qianbao/ledger';
import { AppError } from '../errors.ts';
import { limitExceededError } from '../modules/kyc/limits.ts';

export interface RefusalContext {
  /** Whose wallet the credit leg goes to: the payer's own (top-up) or another holder's. */
  credit: 'own' | 'other';
  currency?: string;
}

/** The outcome that explains a refused request: the first failure that is not a linked echo. */
export function primaryFailure(outcomes: readonly TransferOutcome[]): TransferOutcome | null {
  const failed = outcomes.filter((outcome) => outcome.result !== 'ok' && outcome.result !== 'exists');
  return failed.find((outcome) => outcome.result !== 'linkedEventFailed') ?? failed[0] ?? null;
}

/** What the holder is told about a refused ledger request (see the table above). */
export function ledgerRefusal(outcomes: readonly TransferOutcome[], context: RefusalContext): AppError {
  const primary = primaryFailure(outcomes);
  if (!primary) throw new Error('ledgerRefusal: the ledger refused nothing');
  const result: TransferResult =
    primary.result === 'idAlreadyFailed' ? (primary.failedWith ?? primary.result) : primary.result;
  if (result === 'insufficientFunds') return new AppError('INSUFFICIENT_FUNDS');
  if (result === 'exceedsBalanceCap') {
    return context.credit === 'own'
      ? new AppError('PAYEE_BALANCE_CAP_EXCEEDED', {
          details: { remaining: (primary.balanceCapRemaining ?? 0n).toString() },
        })
      : new AppError('PAYEE_BALANCE_CAP_EXCEEDED');
  }
  if (result === 'limitExceeded') {
    if (!primary.limit) return new AppError('LIMIT_EXCEEDED');
    return limitExceededError({
      key: primary.limit.key,
      maxMinor: primary.limit.max,
      remainingMinor: primary.limit.remaining,
      ...(context.currency ? { currency: context.currency } : {}),
    });
  }
  throw new Error(`unexpected ledger result for a payment: ${result} (transfer ${primary.id})`);
}
