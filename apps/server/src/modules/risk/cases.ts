/**
 * Review cases (issue 11): the risk step's `reviews` (payments/review.ts). A payment the engine
 * wants a person to look at is held in the ledger while its case is open; an operator approves
 * (the hold is posted) or rejects it (voided); a case nobody decides by its expiry is voided by
 * the `risk.cases` job. The module that made the hold settles it (payments `HeldPayments`), so its
 * record, history entry and notices follow the money.
 *
 * Deciding is two steps, each safe to repeat: the decision is written on the open case
 * (compare-and-set: of an approve and a reject at once, one wins), then the hold is settled and
 * the case closed with what the ledger did. A crash between the two leaves a decided open case,
 * which the job settles again a minute later.
 */
import type pg from 'pg';
import { newId } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type {
  HeldPayments,
  OpenCase,
  PaymentKind,
  ReviewCases,
  ReviewOutcome,
  RiskInput,
  SettledHold,
} from '../../payments/index.ts';
import type { CaseOutcome, CaseRow, CaseStatus, CaseStore } from './case-store.ts';

/** A decided case still open this long after its decision was cut short: the job settles it again. */
const STUCK_AFTER_MS = 60_000;
const DUE_BATCH = 100;

export interface ReviewCaseDeps {
  store: CaseStore;
  held: HeldPayments;
  /** How long a case waits for an operator before its hold is voided. */
  reviewHours: number;
  /** An approved payment joins the holder's history, as any payment that moved (RiskService.moved). */
  recordSuccess(input: RiskInput): Promise<void>;
  now: () => Date;
  log: { warn(object: object, message: string): void };
}

export class ReviewCaseService implements ReviewCases {
  constructor(private readonly deps: ReviewCaseDeps) {}

  /** Cases waiting for a risk operator (`/metrics`' review backlog): the open cases' partial index. */
  openCount(): Promise<number> {
    return this.deps.store.openCount();
  }

  async open(input: Parameters<ReviewCases['open']>[0]): Promise<OpenCase> {
    const row = await this.deps.store.open({
      id: newId(),
      movement_id: input.movementId,
      kind: input.kind,
      holder_id: input.payerUserId,
      amount_minor: input.amountMinor,
      currency: input.currency,
      payee: input.payee,
      decision_id: input.decisionId,
      rules: [...input.rules],
      score: input.score,
      opened_at: input.now,
      expires_at: new Date(input.now.getTime() + this.deps.reviewHours * 3_600_000),
    });
    if (row.holder_id !== input.payerUserId) {
      throw new Error(`review case ${row.id} belongs to another holder than its retry`);
    }
    return { caseId: row.id, status: row.status, expiresAt: row.expires_at };
  }

  async nothingHeld(caseId: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.store.decide({
      id: caseId,
      outcome: 'cancel',
      by: 'system',
      reason: 'nothing held',
      now,
    });
    await this.deps.store.close({ id: caseId, status: 'cancelled', now });
  }

  async get(id: string): Promise<CaseRow> {
    const row = await this.deps.store.get(id);
    if (!row) throw new AppError('RISK_CASE_NOT_FOUND');
    return row;
  }

  list(input: { status: CaseStatus | null; holderId: string | null; limit: number }): Promise<CaseRow[]> {
    return this.deps.store.list({ ...input, limit: Math.min(Math.max(1, Math.trunc(input.limit)), 100) });
  }

  /**
   * An operator's decision (or the job's expiry): the hold posted or voided, the case closed.
   * The same decision again answers the case as it is; another on a decided case is
   * RISK_CASE_CLOSED. `audit` (an operator's entry) is appended in the decision's transaction,
   * before the ledger is asked: the decision is on record with its entry even if the settling is
   * cut short (the job finishes it), and the same decision again appends none.
   */
  async decide(input: {
    id: string;
    outcome: ReviewOutcome;
    by: string;
    reason: string | null;
    audit?: (client: pg.PoolClient, decided: CaseRow) => Promise<void>;
  }): Promise<CaseRow> {
    const now = this.deps.now();
    const { audit, ...decision } = input;
    const decided = await this.deps.store.decide({
      ...decision,
      now,
      ...(audit ? { alongside: audit } : {}),
    });
    let row = decided ?? (await this.get(input.id));
    if (row.outcome !== input.outcome) {
      throw new AppError('RISK_CASE_CLOSED', { details: { status: row.status, outcome: row.outcome } });
    }
    if (row.status === 'open') row = await this.settle(row);
    return row;
  }

  /** The job: expire what nobody decided in time; settle again what a crash cut short. Answers how many. */
  async settleDue(): Promise<number> {
    const now = this.deps.now();
    const due = await this.deps.store.due({
      now,
      stuckBefore: new Date(now.getTime() - STUCK_AFTER_MS),
      limit: DUE_BATCH,
    });
    let settled = 0;
    for (const row of due) {
      try {
        if (row.outcome === null)
          await this.decide({ id: row.id, outcome: 'expire', by: 'system', reason: null });
        else await this.settle(row);
        settled += 1;
      } catch (error) {
        // An operator decided it meanwhile (RISK_CASE_CLOSED), or the ledger is away: next run.
        if (!(error instanceof AppError))
          this.deps.log.warn({ err: error, caseId: row.id }, 'risk: case not settled');
      }
    }
    return settled;
  }

  /** Post or void the hold as decided, then close the case with what the ledger did. */
  private async settle(row: CaseRow): Promise<CaseRow> {
    const outcome = row.outcome;
    if (outcome === null) throw new Error(`case ${row.id} is settled before it is decided`);
    const done: SettledHold =
      outcome === 'cancel'
        ? 'nothing_held'
        : await this.deps.held.settle(row.kind as PaymentKind, { movementId: row.movement_id, outcome });
    const closed = await this.deps.store.close({
      id: row.id,
      status: statusOf(outcome, done),
      now: this.deps.now(),
    });
    if (closed?.status === 'approved') {
      // Never fails the decision (the ledger has posted): a failure costs the engine one data point.
      await this.deps
        .recordSuccess({
          kind: row.kind as PaymentKind,
          payerUserId: row.holder_id,
          amountMinor: row.amount_minor,
          currency: row.currency,
          payee: row.payee,
          paymentId: row.movement_id,
          mode: 'pay',
          now: closed.closed_at ?? this.deps.now(),
        })
        .catch((error: unknown) =>
          this.deps.log.warn({ err: error }, 'risk: could not record an approved payment'),
        );
    }
    return closed ?? (await this.get(row.id));
  }
}

/** What the case says once the ledger has answered the decision. */
export function statusOf(outcome: CaseOutcome, done: SettledHold): Exclude<CaseStatus, 'open'> {
  if (done === 'nothing_held') return 'cancelled';
  if (done === 'posted') return 'approved';
  // Voided: as rejected, or — expiry, or an approval that came after the ledger's own timeout — expired.
  return outcome === 'reject' ? 'rejected' : 'expired';
}
