/**
 * Disputes (issue 15, C16): a holder disputes one of its own movements; operators investigate,
 * ask the merchant, and end it with a refund or a rejection (docs/disputes.md).
 *
 * - One open dispute per movement: a partial unique index; the dispute's id is derived from the
 *   request's Idempotency-Key, so the same request again answers the same dispute.
 * - Every step is `transition` (states.ts) applied to the row held locked (store.step).
 * - A refund is decided first (→ `refunding`, with its method, amount and attempt), then its money
 *   moves with ids derived from (dispute, attempt), then the dispute is `resolved_refunded`. Of any
 *   number of decisions at once one takes the row; a crash between the money and the status is
 *   finished by the same request again (its Idempotency-Key) or by the job `disputes.recover` —
 *   moving the same ids again moves nothing twice.
 * - Money moves only through the payments pipeline: a merchant payment's refund or chargeback is
 *   the merchants module's refund (its order's refunded amount stays right, never past what was
 *   paid); any other refund is the operator's goodwill, `payments.move` of one transfer from the
 *   dispute goodwill account (code 920) to the wallet (code 240).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { derivedId, isUuid } from '@qianbao/ledger';
import type { Ledger, TransferInput } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import { moneyPayload } from '../../outbox/index.ts';
import type { NewEvent } from '../../outbox/index.ts';
import type { PaymentAuthorizer } from '../../payments/index.ts';
import { AccountCodes, TransferCodes } from '../../platform/codes.ts';
import type { HistoryService, Transaction } from '../history/index.ts';
import type { MerchantsService } from '../merchants/index.ts';
import { DISPUTE_EVENTS } from './events.ts';
import type { DisputeEventType } from './events.ts';
import type { DisputesSettings } from './module.ts';
import { isOpen, refundMethodsOf, transition } from './states.ts';
import type { DisputeReason, DisputeStatus, DisputeStep, DisputedKind, RefundMethod } from './states.ts';
import type { Actor, DisputeRow, DisputesStore, EventRow, EvidenceRow, StepWrite } from './store.ts';

export const MAX_EVIDENCE_FILES = 5;
export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;
/** A refund still `refunding` after this long belongs to a run that died: the job finishes it. */
const STALE_REFUND_MS = 60_000;
const RECOVER_BATCH = 50;

/** The movements a holder may dispute: its ledger code and the side of the wallet it is on. */
const DISPUTABLE: Record<number, { direction: 'in' | 'out'; kind: DisputedKind }> = {
  [TransferCodes.merchantPayment]: { direction: 'out', kind: 'merchant_payment' },
  [TransferCodes.p2p]: { direction: 'out', kind: 'transfer' },
  [TransferCodes.paymentRequest]: { direction: 'out', kind: 'transfer' },
  [TransferCodes.splitShare]: { direction: 'out', kind: 'transfer' },
  [TransferCodes.topUp]: { direction: 'in', kind: 'top_up' },
  [TransferCodes.withdrawal]: { direction: 'out', kind: 'withdrawal' },
  [TransferCodes.bankTransfer]: { direction: 'out', kind: 'bank_transfer' },
};

/** The system account a goodwill refund is paid from (debit-normal: what disputes cost). */
export function disputeGoodwillAccountId(currency: string): string {
  return derivedId(`qianbao:system-account:dispute-goodwill:${currency}`);
}

/**
 * An operator's audit entry for a step, appended in the step's transaction with the dispute as
 * the step left it: no step without its entry, no entry for a step not taken (a repeat).
 */
export type StepAudit = (client: pg.PoolClient, view: DisputeView) => Promise<void>;

/** What a refund appends: its entry when the money moved, or the refusal when it did not. */
export interface RefundAudit {
  done: StepAudit;
  failed: (client: pg.PoolClient, code: string) => Promise<void>;
}

export interface DisputeView {
  id: string;
  userId: string;
  transactionId: string;
  kind: DisputedKind;
  status: DisputeStatus;
  reason: DisputeReason;
  text: string;
  amountMinor: bigint;
  transactionAmountMinor: bigint;
  currency: string;
  transactionAt: Date;
  counterparty: string | null;
  merchant: { merchantId: string; orderId: string; merchantOrderId: string | null } | null;
  assignedOperatorId: string | null;
  refund: { method: RefundMethod; amountMinor: bigint; reference: string | null } | null;
  decisionReason: string | null;
  lastFailure: string | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

export interface TimelineView {
  at: Date;
  actor: Actor;
  operatorId: string | null;
  step: string;
  fromStatus: DisputeStatus | null;
  toStatus: DisputeStatus;
  note: string | null;
}

export interface EvidenceView {
  id: string;
  contentType: string;
  fileName: string;
  sizeBytes: number;
  createdAt: Date;
}

export interface DisputeDetail {
  dispute: DisputeView;
  timeline: TimelineView[];
  evidence: EvidenceView[];
}

/** Whether one of the holder's movements may be disputed now (the detail page's 申诉 button). */
export interface Eligibility {
  disputable: boolean;
  /** Why not: the code opening one would answer. */
  refusal: string | null;
  openDisputeId: string | null;
  /** Its newest dispute, open or closed (the detail page links to it). */
  latestDisputeId: string | null;
  kind: DisputedKind | null;
}

export interface DisputesServiceDeps {
  store: DisputesStore;
  settings: DisputesSettings;
  history: Pick<HistoryService, 'get'>;
  /** Read only, and the system account's creation: the money moves through `payments.move`. */
  ledger: Pick<Ledger, 'getTransfer' | 'getAccount' | 'createAccounts'>;
  merchants: Pick<MerchantsService, 'checkoutOrder' | 'refund'>;
  payments: Pick<PaymentAuthorizer, 'move'>;
  /**
   * The operators' audit log: a refund decided is written before its money moves, in the
   * decision's transaction (`client`).
   */
  audit: (
    entry: {
      operatorId: string | null;
      action: string;
      target: string | null;
      details: Record<string, unknown>;
    },
    client: pg.PoolClient,
  ) => Promise<void>;
  now: () => Date;
}

/** The disputes module's rules; no HTTP here. Time comes from `now`, so tests can move it. */
export class DisputesService {
  private goodwillAccounts = new Map<string, Promise<void>>();

  constructor(private readonly deps: DisputesServiceDeps) {}

  // ---- holders --------------------------------------------------------------------------------

  /**
   * A dispute of the holder's movement `transactionId` (a history id). `id` is derived from the
   * request's Idempotency-Key: the same request again answers the dispute it made.
   */
  async open(input: {
    id: string;
    userId: string;
    walletAccountId: string;
    transactionId: string;
    reason: DisputeReason;
    text: string;
    amountMinor: bigint | null;
  }): Promise<DisputeView> {
    const again = await this.deps.store.get(input.id);
    if (again) {
      if (again.user_id !== input.userId) throw new Error(`dispute id ${input.id} derived twice`);
      return viewOf(again);
    }
    const transaction = await this.transactionOf(input);
    const { kind } = this.disputable(transaction);
    const amountMinor = input.amountMinor ?? transaction.amountMinor;
    if (amountMinor <= 0n || amountMinor > transaction.amountMinor) {
      throw new AppError('DISPUTE_AMOUNT_INVALID', {
        details: { max: { amount: transaction.amountMinor.toString(), currency: transaction.currency } },
      });
    }
    if (await this.deps.store.wasRefunded(transaction.id)) throw new AppError('DISPUTE_ALREADY_REFUNDED');
    const merchant = kind === 'merchant_payment' ? await this.merchantOf(transaction.id) : null;
    const now = this.deps.now();
    const row = {
      id: input.id,
      user_id: input.userId,
      wallet_account_id: input.walletAccountId,
      transaction_id: transaction.id,
      kind,
      transaction_amount_minor: transaction.amountMinor,
      amount_minor: amountMinor,
      currency: transaction.currency,
      transaction_at: transaction.createdAt,
      counterparty: transaction.counterparty?.displayName.slice(0, 100) ?? null,
      merchant_id: merchant?.merchantId ?? null,
      order_id: merchant?.orderId ?? null,
      merchant_order_id: merchant?.merchantOrderId ?? null,
      reason: input.reason,
      text: input.text,
      status: 'opened' as const,
      assigned_operator_id: null,
      refund_method: null,
      refund_amount_minor: null,
      refund_reference: null,
      refunding_since: null,
      decision_reason: null,
      last_failure: null,
      created_at: now,
      updated_at: now,
    };
    const opened = await this.deps.store.open(row, [
      disputeEvent(DISPUTE_EVENTS.opened, { ...row, refund_attempt: 0, closed_at: null }, now),
    ]);
    if (opened.created) return viewOf(opened.row);
    if (opened.open && opened.open.id === input.id) return viewOf(opened.open);
    throw new AppError('DISPUTE_ALREADY_OPEN', {
      details: opened.open ? { disputeId: opened.open.id } : {},
    });
  }

  /** Whether the holder's movement may be disputed now, and its open dispute if any. */
  async eligibility(input: {
    userId: string;
    walletAccountId: string;
    transactionId: string;
  }): Promise<Eligibility> {
    const transaction = await this.transactionOf(input);
    const disputes = await this.deps.store.ofUser(input.userId, 20, transaction.id);
    const open = disputes.find((row) => isOpen(row.status));
    const latestDisputeId = disputes[0]?.id ?? null;
    const kind = DISPUTABLE[transaction.ledgerCode]?.kind ?? null;
    try {
      this.disputable(transaction);
      if (await this.deps.store.wasRefunded(transaction.id)) throw new AppError('DISPUTE_ALREADY_REFUNDED');
      if (open) throw new AppError('DISPUTE_ALREADY_OPEN');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return {
        disputable: false,
        refusal: error.code,
        openDisputeId: open?.id ?? null,
        latestDisputeId,
        kind,
      };
    }
    return { disputable: true, refusal: null, openDisputeId: null, latestDisputeId, kind };
  }

  async ofHolder(input: { userId: string; id: string }): Promise<DisputeDetail> {
    const row = isUuid(input.id) ? await this.deps.store.get(input.id) : null;
    if (!row || row.user_id !== input.userId) throw new AppError('DISPUTE_NOT_FOUND');
    return this.detailOf(row);
  }

  /** The holder's disputes, newest first (`transactionId`: of one movement). */
  async disputesOfHolder(
    userId: string,
    options: { limit?: number; transactionId?: string | null } = {},
  ): Promise<DisputeView[]> {
    const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 50)), 100);
    const rows = await this.deps.store.ofUser(userId, limit, options.transactionId ?? null);
    return rows.map(viewOf);
  }

  async addEvidence(input: {
    userId: string;
    id: string;
    contentType: string;
    fileName: string;
    content: Buffer;
  }): Promise<EvidenceView> {
    await this.holderRow(input.userId, input.id);
    const problem = evidenceProblem(input.contentType, input.content);
    if (problem) throw new AppError('DISPUTE_EVIDENCE_INVALID', { details: { problem } });
    const added = await this.deps.store.addEvidence({
      disputeId: input.id,
      contentType: input.contentType,
      fileName: safeFileName(input.fileName, input.contentType),
      content: input.content,
      sha256: createHash('sha256').update(input.content).digest(),
      at: this.deps.now(),
      max: MAX_EVIDENCE_FILES,
      mayAdd: (row) => {
        if (!isOpen(row.status) || row.status === 'refunding') {
          throw new AppError('DISPUTE_NOT_ALLOWED_NOW', { details: { status: row.status } });
        }
      },
    });
    if ('full' in added) throw new AppError('DISPUTE_EVIDENCE_LIMIT');
    return evidenceView(added.evidence);
  }

  /** An evidence file: to its holder, or (the route audits it) to an operator. */
  async evidenceFile(input: {
    userId: string | null;
    id: string;
    evidenceId: string;
  }): Promise<{ contentType: string; fileName: string; content: Buffer }> {
    if (input.userId !== null) await this.holderRow(input.userId, input.id);
    const file =
      isUuid(input.id) && isUuid(input.evidenceId)
        ? await this.deps.store.evidenceFile(input.id, input.evidenceId)
        : null;
    if (!file) throw new AppError('NOT_FOUND');
    return { contentType: file.content_type, fileName: file.file_name, content: file.content };
  }

  async withdraw(input: { userId: string; id: string; note: string | null }): Promise<DisputeView> {
    await this.holderRow(input.userId, input.id);
    return viewOf(
      await this.take(
        input.id,
        { type: 'withdraw' },
        { actor: 'holder', operatorId: null, note: input.note },
      ),
    );
  }

  // ---- operators ------------------------------------------------------------------------------

  /** The queue: open disputes oldest first, or those of one status newest first. */
  async queue(input: { status: DisputeStatus | 'open'; limit: number }): Promise<DisputeView[]> {
    const limit = Math.min(Math.max(1, Math.trunc(input.limit)), 100);
    return (await this.deps.store.queue({ status: input.status, limit })).map(viewOf);
  }

  /** Disputes still open (the dashboard): opened, investigating, awaiting the merchant, refunding. */
  async openCount(): Promise<number> {
    return this.deps.store.openCount();
  }

  async detail(id: string): Promise<DisputeDetail> {
    return this.detailOf(await this.found(id));
  }

  /** The operator takes the dispute (or takes it over from another). */
  async assign(input: { id: string; operatorId: string; audit?: StepAudit }): Promise<DisputeView> {
    await this.found(input.id);
    return viewOf(
      await this.take(
        input.id,
        { type: 'take' },
        { actor: 'operator', operatorId: input.operatorId, note: null },
        { assigned_operator_id: input.operatorId },
        input.audit,
      ),
    );
  }

  async askMerchant(input: {
    id: string;
    operatorId: string;
    note: string;
    audit?: StepAudit;
  }): Promise<DisputeView> {
    await this.found(input.id);
    return viewOf(
      await this.take(
        input.id,
        { type: 'ask_merchant' },
        { actor: 'operator', operatorId: input.operatorId, note: input.note },
        {},
        input.audit,
      ),
    );
  }

  /** Disputes of the merchant's payments, newest first (the merchant's own view). */
  async ofMerchant(merchantId: string, limit = 50): Promise<DisputeView[]> {
    const rows = await this.deps.store.ofMerchant(merchantId, Math.min(Math.max(1, Math.trunc(limit)), 100));
    return rows.map(viewOf);
  }

  /**
   * The merchant's answer: as the operator heard it (`operatorId`), or from the merchant itself
   * (`merchantId`: only a dispute of its own payment).
   */
  async merchantAnswered(input: {
    id: string;
    operatorId: string | null;
    merchantId?: string;
    accepts: boolean;
    text: string;
    audit?: StepAudit;
  }): Promise<DisputeView> {
    const row = await this.found(input.id);
    if (input.merchantId !== undefined && row.merchant_id !== input.merchantId) {
      throw new AppError('DISPUTE_NOT_FOUND');
    }
    return viewOf(
      await this.take(
        input.id,
        { type: 'merchant_answered' },
        {
          actor: input.operatorId ? 'operator' : 'merchant',
          operatorId: input.operatorId,
          note: `${input.accepts ? 'accepts' : 'contests'}: ${input.text}`.slice(0, 1000),
        },
        {},
        input.audit,
      ),
    );
  }

  async reject(input: {
    id: string;
    operatorId: string;
    reason: string;
    audit?: StepAudit;
  }): Promise<DisputeView> {
    await this.found(input.id);
    return viewOf(
      await this.take(
        input.id,
        { type: 'reject' },
        { actor: 'operator', operatorId: input.operatorId, note: input.reason },
        { decision_reason: input.reason },
        input.audit,
      ),
    );
  }

  /**
   * Refund the holder: decided on the locked row (one decision wins, the others are told
   * DISPUTE_NOT_ALLOWED_NOW), then the money, then `resolved_refunded`. `resumed`: the same
   * request again after its run failed (its Idempotency-Key) — a refund of this method already
   * under way is finished instead of refused.
   */
  async refund(input: {
    id: string;
    operatorId: string;
    method: RefundMethod;
    amountMinor: bigint | null;
    reason: string;
    resumed: boolean;
    audit?: RefundAudit;
  }): Promise<DisputeView> {
    const current = await this.found(input.id);
    if (input.resumed && current.refund_method === input.method) {
      // The same request again after its run failed: finish what it decided (with its entry),
      // or answer it done (its entry was written when it was done).
      if (current.status === 'refunding') return viewOf(await this.finish(current, input.audit));
      if (current.status === 'resolved_refunded') return viewOf(current);
    }
    const decided = await this.deps.store.step(
      input.id,
      this.deps.now(),
      (row) => {
        const to = allowed(row, { type: 'refund', method: input.method });
        const amountMinor = input.amountMinor ?? row.amount_minor;
        if (amountMinor <= 0n || amountMinor > row.amount_minor) {
          throw new AppError('DISPUTE_AMOUNT_INVALID', {
            details: { max: { amount: row.amount_minor.toString(), currency: row.currency } },
          });
        }
        const attempt = row.refund_attempt + 1;
        return {
          to,
          set: {
            refund_method: input.method,
            refund_amount_minor: amountMinor,
            refund_attempt: attempt,
            refund_reference: refundReference(row.id, input.method, attempt),
            refunding_since: this.deps.now(),
            decision_reason: input.reason,
            last_failure: null,
            assigned_operator_id: row.assigned_operator_id ?? input.operatorId,
          },
          event: {
            actor: 'operator',
            operatorId: input.operatorId,
            step: `refund:${input.method}`,
            note: input.reason,
          },
          outbox: [],
        };
      },
      // The operator's decision is on record with it, even if this process dies now and the job
      // finishes the refund.
      (client, decided) =>
        this.deps.audit(
          {
            operatorId: input.operatorId,
            action: 'disputes.refund_decided',
            target: decided.id,
            details: {
              userId: decided.user_id,
              method: input.method,
              amount: decided.refund_amount_minor!.toString(),
              attempt: decided.refund_attempt,
            },
          },
          client,
        ),
    );
    return viewOf(await this.finish(decided, input.audit));
  }

  /** Refunds a crash left half-way (older than a minute), finished: the job `disputes.recover`. */
  async recover(): Promise<number> {
    const before = new Date(this.deps.now().getTime() - STALE_REFUND_MS);
    const stale = await this.deps.store.staleRefunding(before, RECOVER_BATCH);
    let finished = 0;
    for (const row of stale) {
      try {
        await this.finish(row);
        finished += 1;
      } catch (error) {
        // A refusal sent it back to investigating (finish wrote it); anything else: next run.
        if (!(error instanceof AppError)) throw error;
      }
    }
    return finished;
  }

  // ---- inside ---------------------------------------------------------------------------------

  /**
   * The decided refund's money, then the dispute's status. Moving again what moved already is a
   * no-op (ids derived from dispute and attempt), so this may run any number of times. A refusal
   * (AppError: the merchant's balance, its refund rules, the risk engine) moved nothing: the
   * dispute goes back to investigating with the failure, and the refusal is thrown.
   */
  private async finish(row: DisputeRow, audit?: RefundAudit): Promise<DisputeRow> {
    if (row.status !== 'refunding') return row;
    const attempt = row.refund_attempt;
    try {
      if (row.refund_method === 'goodwill') await this.moveGoodwill(row);
      else await this.merchantRefund(row);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      await this.deps.store.step(
        row.id,
        this.deps.now(),
        (locked) =>
          locked.status === 'refunding' && locked.refund_attempt === attempt
            ? {
                to: allowed(locked, { type: 'refund_failed' }),
                set: { refunding_since: null, last_failure: error.code },
                event: { actor: 'system', operatorId: null, step: 'refund_failed', note: error.code },
                outbox: [],
              }
            : null,
        audit ? (client) => audit.failed(client, error.code) : undefined,
      );
      throw error;
    }
    const now = this.deps.now();
    return this.deps.store.step(
      row.id,
      now,
      (locked) =>
        locked.status === 'refunding' && locked.refund_attempt === attempt
          ? {
              to: allowed(locked, { type: 'refund_moved' }),
              set: { refunding_since: null, closed_at: now },
              event: { actor: 'system', operatorId: null, step: 'refunded', note: null },
              outbox: [disputeEvent(DISPUTE_EVENTS.closed, { ...locked, status: 'resolved_refunded' }, now)],
            }
          : null,
      audit ? (client, refunded) => audit.done(client, viewOf(refunded)) : undefined,
    );
  }

  /** The operator's goodwill: one transfer from the dispute goodwill account to the wallet. */
  private async moveGoodwill(row: DisputeRow): Promise<void> {
    await this.goodwillAccount(row.currency);
    const transfer: TransferInput = {
      id: row.refund_reference!,
      debitAccountId: disputeGoodwillAccountId(row.currency),
      creditAccountId: row.wallet_account_id,
      amount: row.refund_amount_minor!,
      currency: row.currency,
      code: TransferCodes.disputeRefund,
      userData: `dispute:${row.id}`,
    };
    const [outcome] = await this.deps.payments.move([transfer]);
    if (outcome?.result !== 'ok' && outcome?.result !== 'exists') {
      throw new Error(
        `dispute ${row.id}: the goodwill refund was refused: ${outcome?.result ?? 'no outcome'}`,
      );
    }
  }

  /**
   * A merchant payment's refund or chargeback: the merchants module's refund, by a refund number
   * derived from (dispute, attempt) — the same call again is the same refund.
   */
  private async merchantRefund(row: DisputeRow): Promise<void> {
    if (!row.merchant_id || !row.merchant_order_id)
      throw new Error(`dispute ${row.id} has no merchant order`);
    const refund = await this.deps.merchants.refund({
      merchantId: row.merchant_id,
      merchantOrderId: row.merchant_order_id,
      merchantRefundId: row.refund_reference!,
      amountMinor: row.refund_amount_minor!,
      reason: row.refund_method === 'chargeback' ? '争议拒付' : '争议退款',
    });
    if (refund.status === 'failed') {
      throw new AppError('MERCHANT_BALANCE_INSUFFICIENT', { details: { failure: refund.failure } });
    }
    if (refund.status !== 'succeeded')
      throw new Error(`dispute ${row.id}: refund ${refund.id} is ${refund.status}`);
  }

  private async goodwillAccount(currency: string): Promise<void> {
    let made = this.goodwillAccounts.get(currency);
    if (!made) {
      made = this.deps.ledger
        .createAccounts([
          {
            id: disputeGoodwillAccountId(currency),
            currency,
            code: AccountCodes.disputeGoodwill,
            ownerRef: 'system:dispute-goodwill',
          },
        ])
        .then(([outcome]) => {
          if (outcome?.result !== 'ok' && outcome?.result !== 'exists') {
            throw new Error(`the dispute goodwill account could not be made: ${outcome?.result}`);
          }
        });
      made.catch(() => this.goodwillAccounts.delete(currency));
      this.goodwillAccounts.set(currency, made);
    }
    await made;
  }

  private async take(
    id: string,
    step: DisputeStep,
    event: { actor: Actor; operatorId: string | null; note: string | null },
    set: StepWrite['set'] = {},
    audit?: StepAudit,
  ): Promise<DisputeRow> {
    const now = this.deps.now();
    return this.deps.store.step(
      id,
      now,
      (row) => {
        const to = allowed(row, step);
        const closing = !isOpen(to);
        return {
          to,
          set: closing ? { ...set, closed_at: now } : set,
          event: { ...event, step: step.type },
          outbox: closing ? [disputeEvent(DISPUTE_EVENTS.closed, { ...row, ...set, status: to }, now)] : [],
        };
      },
      audit ? (client, stepped) => audit(client, viewOf(stepped)) : undefined,
    );
  }

  private async transactionOf(input: {
    userId: string;
    walletAccountId: string;
    transactionId: string;
  }): Promise<Transaction> {
    const { transaction } = await this.deps.history.get({
      userId: input.userId,
      walletAccountId: input.walletAccountId,
      id: input.transactionId,
    });
    return transaction;
  }

  private disputable(transaction: Transaction): { kind: DisputedKind } {
    const rule = DISPUTABLE[transaction.ledgerCode];
    if (!rule || rule.direction !== transaction.direction) {
      throw new AppError('DISPUTE_NOT_DISPUTABLE', { details: { reason: 'kind', type: transaction.type } });
    }
    if (transaction.status !== 'succeeded') {
      throw new AppError('DISPUTE_NOT_DISPUTABLE', {
        details: { reason: 'status', status: transaction.status },
      });
    }
    const days = this.deps.settings.windowDays;
    if (this.deps.now().getTime() - transaction.createdAt.getTime() > days * 86_400_000) {
      throw new AppError('DISPUTE_WINDOW_CLOSED', { details: { windowDays: days } });
    }
    return { kind: rule.kind };
  }

  /** A merchant payment's merchant and order: from its ledger transfer (`merchant-order:<id>`). */
  private async merchantOf(
    transferId: string,
  ): Promise<{ merchantId: string; orderId: string; merchantOrderId: string }> {
    const transfer = await this.deps.ledger.getTransfer(transferId);
    const orderId = transfer?.userData?.startsWith('merchant-order:')
      ? transfer.userData.slice('merchant-order:'.length)
      : null;
    const account = transfer ? await this.deps.ledger.getAccount(transfer.creditAccountId) : null;
    const merchantId = account?.ownerRef?.startsWith('merchant:')
      ? account.ownerRef.slice('merchant:'.length)
      : null;
    const order = orderId && isUuid(orderId) ? await this.deps.merchants.checkoutOrder(orderId) : null;
    if (!orderId || !merchantId || !order || order.testMode) {
      throw new AppError('DISPUTE_NOT_DISPUTABLE', { details: { reason: 'merchantOrderUnknown' } });
    }
    return { merchantId, orderId, merchantOrderId: order.merchantOrderId };
  }

  private async found(id: string): Promise<DisputeRow> {
    const row = isUuid(id) ? await this.deps.store.get(id) : null;
    if (!row) throw new AppError('DISPUTE_NOT_FOUND');
    return row;
  }

  private async holderRow(userId: string, id: string): Promise<DisputeRow> {
    const row = await this.found(id);
    if (row.user_id !== userId) throw new AppError('DISPUTE_NOT_FOUND');
    return row;
  }

  private async detailOf(row: DisputeRow): Promise<DisputeDetail> {
    const [timeline, evidence] = await Promise.all([
      this.deps.store.timeline(row.id),
      this.deps.store.evidenceOf(row.id),
    ]);
    return {
      dispute: viewOf(row),
      timeline: timeline.map(timelineView),
      evidence: evidence.map(evidenceView),
    };
  }
}

/** The status `step` leads to from the row's, or the refusal. */
function allowed(row: DisputeRow, step: DisputeStep): DisputeStatus {
  const outcome = transition(row.status, row.kind, step);
  if (outcome.ok) return outcome.to;
  if (outcome.code === 'DISPUTE_METHOD_NOT_ALLOWED') {
    throw new AppError('DISPUTE_METHOD_NOT_ALLOWED', { details: { allowed: [...outcome.allowed] } });
  }
  throw new AppError('DISPUTE_NOT_ALLOWED_NOW', { details: { status: row.status, step: step.type } });
}

/**
 * The id of a refund's money, per attempt: a goodwill refund's ledger transfer id, or the
 * merchant refund number (`[A-Za-z0-9_-]{1,32}`: `D` + the dispute id in base64url + attempt).
 */
function refundReference(disputeId: string, method: RefundMethod, attempt: number): string {
  if (method === 'goodwill') return derivedId(`dispute-refund:${disputeId}:${attempt}`);
  const compact = Buffer.from(disputeId.replaceAll('-', ''), 'hex').toString('base64url');
  return `D${compact}-${attempt}`;
}

/** The outbox event of a dispute opened or closed; webhooks go to the merchant of a merchant payment. */
function disputeEvent(type: DisputeEventType, row: DisputeRow, at: Date): NewEvent {
  return {
    type,
    aggregateType: 'dispute',
    aggregateId: row.id,
    payload: {
      disputeId: row.id,
      userId: row.user_id,
      transactionId: row.transaction_id,
      kind: row.kind,
      status: row.status,
      reason: row.reason,
      amount: moneyPayload(row.amount_minor, row.currency),
      merchantId: row.merchant_id,
      orderId: row.order_id,
      merchantOrderId: row.merchant_order_id,
      refundMethod: row.refund_method,
      refund: row.refund_amount_minor === null ? null : moneyPayload(row.refund_amount_minor, row.currency),
      decisionReason: row.decision_reason,
    },
    createdAt: at,
  };
}

function viewOf(row: DisputeRow): DisputeView {
  return {
    id: row.id,
    userId: row.user_id,
    transactionId: row.transaction_id,
    kind: row.kind,
    status: row.status,
    reason: row.reason,
    text: row.text,
    amountMinor: row.amount_minor,
    transactionAmountMinor: row.transaction_amount_minor,
    currency: row.currency,
    transactionAt: row.transaction_at,
    counterparty: row.counterparty,
    merchant:
      row.merchant_id && row.order_id
        ? { merchantId: row.merchant_id, orderId: row.order_id, merchantOrderId: row.merchant_order_id }
        : null,
    assignedOperatorId: row.assigned_operator_id,
    refund:
      row.refund_method && row.refund_amount_minor !== null
        ? { method: row.refund_method, amountMinor: row.refund_amount_minor, reference: row.refund_reference }
        : null,
    decisionReason: row.decision_reason,
    lastFailure: row.last_failure,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
  };
}

function timelineView(row: EventRow): TimelineView {
  return {
    at: row.at,
    actor: row.actor,
    operatorId: row.operator_id,
    step: row.step,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    note: row.note,
  };
}

function evidenceView(row: EvidenceRow): EvidenceView {
  return {
    id: row.id,
    contentType: row.content_type,
    fileName: row.file_name,
    sizeBytes: row.size_bytes,
    createdAt: row.created_at,
  };
}

/** The declared type must match the bytes: JPEG FF D8 FF, PNG 89 50 4E 47…, PDF "%PDF-". */
export function evidenceProblem(contentType: string, content: Buffer): string | null {
  if (content.length === 0) return 'empty';
  if (content.length > MAX_EVIDENCE_BYTES) return 'tooLarge';
  const starts = (bytes: number[]) => content.subarray(0, bytes.length).equals(Buffer.from(bytes));
  if (contentType === 'image/jpeg' && starts([0xff, 0xd8, 0xff])) return null;
  if (contentType === 'image/png' && starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return null;
  if (contentType === 'application/pdf' && starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return null;
  return 'notJpegPngOrPdf';
}

/** A name to show, never a path: letters, digits, CJK and `._-`, at most 100 characters. */
function safeFileName(name: string, contentType: string): string {
  const cleaned = name
    .replace(/^.*[\\/]/, '')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .slice(0, 100);
  if (cleaned.length > 0) return cleaned;
  return contentType === 'application/pdf'
    ? 'evidence.pdf'
    : contentType === 'image/png'
      ? 'evidence.png'
      : 'evidence.jpg';
}

export { refundMethodsOf };
