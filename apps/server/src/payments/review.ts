/**
 * Hold for review (issue 11): what the pipeline does with a `review` decision for a kind that
 * holds its money (kinds.ts `holdsForReview`) instead of refusing it.
 *
 *   1. a case opens (the risk step's `reviews.open`), keyed by the movement: a retry of the same
 *      payment finds the same case;
 *   2. the payment's ledger transfer is made as a hold (a pending transfer: the payer's money is
 *      held, the payee sees nothing yet), with a ledger timeout a little past the case's expiry;
 *   3. an operator approves (the module posts the hold) or rejects (voids it); a case nobody
 *      decided expires and the hold is voided by the risk module's job. The module that made the
 *      hold settles it (`HeldPayments`), so its record and notices follow the money.
 *
 * Why the case comes before the hold: a crash between the two leaves a case with nothing held
 * (an operator's decision on it finds no hold and closes it: `nothing_held`), never money held
 * with no case anyone can see. Should the hold land after its case was closed (a retry racing the
 * expiry), the ledger's own timeout releases it.
 */
import type { PaymentKind } from './kinds.ts';

export type ReviewOutcome = 'approve' | 'reject' | 'expire';

/** What settling a held payment did in the ledger. */
export type SettledHold = 'posted' | 'voided' | 'nothing_held';

/** Seconds a hold outlives its case in the ledger: the expiry job voids it first. */
export const HOLD_GRACE_SECONDS = 3600;

export interface OpenCase {
  caseId: string;
  /** `open` for a new case or a retry of an open one; anything else: decided already. */
  status: string;
  expiresAt: Date;
}

/** The risk step's review cases (modules/risk/cases.ts). */
export interface ReviewCases {
  open(input: {
    kind: PaymentKind;
    payerUserId: string;
    /** The ledger transfer that holds the money (the case is found again by it). */
    movementId: string;
    amountMinor: bigint;
    currency: string;
    payee: string;
    decisionId: string | null;
    rules: readonly string[];
    score: number;
    now: Date;
  }): Promise<OpenCase>;
  /** The hold was refused by the ledger (funds, limits …): the case has nothing to decide. */
  nothingHeld(caseId: string): Promise<void>;
}

export interface HeldPaymentSettler {
  /** Post (approve) or void (reject, expire) the hold `movementId`; idempotent. */
  settle(input: { movementId: string; outcome: ReviewOutcome }): Promise<SettledHold>;
}

/** Which module settles the holds of each kind: registered by the module, called by the risk module. */
export class HeldPayments {
  private readonly settlers = new Map<PaymentKind, HeldPaymentSettler>();

  register(kind: PaymentKind, settler: HeldPaymentSettler): void {
    if (this.settlers.has(kind)) throw new Error(`held payments of kind ${kind} are settled already`);
    this.settlers.set(kind, settler);
  }

  settle(kind: PaymentKind, input: { movementId: string; outcome: ReviewOutcome }): Promise<SettledHold> {
    const settler = this.settlers.get(kind);
    if (!settler) throw new Error(`no module settles held payments of kind ${kind}`);
    return settler.settle(input);
  }
}
